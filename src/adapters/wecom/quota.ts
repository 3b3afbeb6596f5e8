import type { SharedValues } from '../../core/ports.js';

/**
 * WeCom lets a bot send at most 5 messages within 48 hours of a customer's message; the next
 * customer message renews the allowance (silenceper/wechat work/kf/sendmsg.go, quoting
 * WeCom). So what may be sent now is 5 minus what was sent since the customer's latest
 * message. Counted here, in the shared values, so that zhuihui never asks for a send WeCom
 * would refuse (95001), whichever worker sends, and also when several messages of one
 * customer arrive in one pull (their answers share the allowance of the latest).
 */
export const KF_MESSAGES_PER_MESSAGE = 5;
export const KF_WINDOW_MS = 48 * 3_600_000;

export interface Quota {
  /**
   * A customer message sent at `sentAt` (ms; WeCom gives whole seconds) and known to be sent
   * before `seenBy` (when the pull that brought it returned).
   */
  renew(user: string, sentAt: number, seenBy?: number): Promise<void>;
  /** Messages that may still be sent now. */
  left(user: string): Promise<number>;
  /** Uses one; false when none is left (or the 48 hours are over). */
  take(user: string): Promise<boolean>;
}

interface Allowance {
  /** The customer's latest message (ms). */
  latest: number;
  /** When zhuihui sent since then (ms). */
  sent: number[];
}

export function createQuota(shared: SharedValues, now = () => Date.now()): Quota {
  const key = (user: string) => `kf-quota:${user}`;
  const read = async (user: string): Promise<Allowance | undefined> => {
    try {
      const raw = JSON.parse((await shared.get(key(user))) ?? 'null') as Partial<Allowance> | null;
      if (typeof raw?.latest === 'number' && Array.isArray(raw.sent))
        return { latest: raw.latest, sent: raw.sent.filter((t) => typeof t === 'number') };
    } catch {
      // An unreadable allowance is none: better a message kept back than a refusal.
    }
    return undefined;
  };
  const write = (user: string, allowance: Allowance) =>
    shared.set(
      key(user),
      JSON.stringify(allowance),
      Math.max(1, allowance.latest + KF_WINDOW_MS - now()),
    );
  const leftOf = (allowance: Allowance | undefined) =>
    allowance && allowance.latest + KF_WINDOW_MS > now()
      ? Math.max(0, KF_MESSAGES_PER_MESSAGE - allowance.sent.length)
      : 0;
  return {
    async renew(user, sentAt, seenBy = Number.POSITIVE_INFINITY) {
      const previous = await read(user);
      const latest = Math.max(previous?.latest ?? 0, Math.floor(sentAt / 1000) * 1000);
      if (latest + KF_WINDOW_MS <= now()) return;
      // A send counts against this message if it surely came after it: after the message's
      // whole second, or after the pull that brought it. One within that second and before
      // the pull is taken to have come first (else a quick exchange would block itself); at
      // worst one send too many is asked for, and WeCom's 95001 is logged, never retried.
      const after = (t: number) => t >= Math.min(latest + 1000, seenBy);
      await write(user, { latest, sent: (previous?.sent ?? []).filter(after) });
    },
    left: async (user) => leftOf(await read(user)),
    async take(user) {
      const allowance = await read(user);
      if (!allowance || leftOf(allowance) <= 0) return false;
      await write(user, { ...allowance, sent: [...allowance.sent, now()] });
      return true;
    },
  };
}
