import type { SharedValues } from '../../core/ports.js';

/**
 * WeCom lets a bot send at most 5 messages within 48 hours of a customer's message; the next
 * customer message renews the allowance (silenceper/wechat work/kf/sendmsg.go, quoting
 * WeCom). Counted here, in the shared values, so that zhuihui never asks for a send WeCom
 * would refuse (95001), whichever worker sends.
 */
export const KF_MESSAGES_PER_MESSAGE = 5;
export const KF_WINDOW_MS = 48 * 3_600_000;

export interface Quota {
  /** A customer message sent at `sentAt`: a fresh allowance until 48 hours after it. */
  renew(user: string, sentAt: number): Promise<void>;
  /** Messages that may still be sent now. */
  left(user: string): Promise<number>;
  /** Uses one; false when none is left (or the 48 hours are over). */
  take(user: string): Promise<boolean>;
}

export function createQuota(shared: SharedValues, now = () => Date.now()): Quota {
  const key = (user: string) => `kf-quota:${user}`;
  const read = async (user: string): Promise<{ left: number; until: number }> => {
    try {
      const raw = JSON.parse((await shared.get(key(user))) ?? 'null') as unknown;
      const { left, until } = (raw ?? {}) as { left?: unknown; until?: unknown };
      if (typeof left === 'number' && typeof until === 'number' && until > now())
        return { left, until };
    } catch {
      // An unreadable allowance is none: better a message kept for "继续" than a refusal.
    }
    return { left: 0, until: 0 };
  };
  const write = (user: string, left: number, until: number) =>
    shared.set(key(user), JSON.stringify({ left, until }), Math.max(1, until - now()));
  return {
    async renew(user, sentAt) {
      const until = sentAt + KF_WINDOW_MS;
      if (until > now()) await write(user, KF_MESSAGES_PER_MESSAGE, until);
    },
    left: async (user) => (await read(user)).left,
    async take(user) {
      const { left, until } = await read(user);
      if (left <= 0) return false;
      await write(user, left - 1, until);
      return true;
    },
  };
}
