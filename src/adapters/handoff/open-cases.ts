import type { HandoffBus } from '../../core/handoff-bus.js';

/** The channels a case can be on: where the user's words come from and the operator's go. */
export type CaseChannel = 'wechat' | 'oa' | 'console';

/** One open case, as the operator side knows it: whom to answer, and where it stands. */
export interface OpenCase {
  ref: string;
  /** The conversation's key (the user's session). */
  userId: string;
  channel: CaseChannel;
  /** Whom the channel sends to: the WeChat contact id, the OA openid, the console user key. */
  address: string;
  state: 'waiting' | 'human';
  operator?: string;
  since: string;
}

const parse = (raw: string | undefined): OpenCase | undefined => {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<OpenCase> | null;
    if (!value || typeof value.ref !== 'string' || typeof value.userId !== 'string')
      return undefined;
    // Cases opened before channels were recorded are the personal account's.
    return { channel: 'wechat', address: '', state: 'waiting', since: '', ...value } as OpenCase;
  } catch {
    return undefined;
  }
};

/**
 * The index from a case reference (#a1b2) to the user, one field per case in the handoff's
 * shared fields (docs/architecture.md, "Handoff"): opening, changing or closing one case is
 * one field's compare-and-set, so two processes changing cases at the same moment both keep
 * their change (a single JSON value of all cases lost one of them).
 */
export function createOpenCases(bus: HandoffBus) {
  const fields = bus.fields('open-cases');
  return {
    all: async (): Promise<OpenCase[]> =>
      [...(await fields.all()).values()]
        .map(parse)
        .filter((c): c is OpenCase => c !== undefined)
        .sort((a, b) => a.since.localeCompare(b.since)),
    find: async (ref: string) => parse(await fields.get(ref)),
    /**
     * Opens a case under its reference unless another user's open case holds it: true when
     * the case is now this user's.
     */
    open: async (c: OpenCase): Promise<boolean> => {
      const after = await fields.update(c.ref, (held) => {
        const other = parse(held);
        return other && other.userId !== c.userId ? held : JSON.stringify(c);
      });
      return parse(after)?.userId === c.userId;
    },
    /** Whether a reference is held by another user's open case (a new one needs another). */
    taken: async (ref: string, userId: string) => {
      const held = parse(await fields.get(ref));
      return held !== undefined && held.userId !== userId;
    },
    update: async (ref: string, patch: Partial<OpenCase>) => {
      await fields.update(ref, (held) => {
        const open = parse(held);
        return open ? JSON.stringify({ ...open, ...patch, ref }) : undefined;
      });
    },
    close: (ref: string) => fields.delete(ref),
  };
}

export type OpenCases = ReturnType<typeof createOpenCases>;
