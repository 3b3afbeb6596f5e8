import type { SharedValues } from '../../core/ports.js';

/** One open case, as the operator room knows it: whom to answer, and where it stands. */
export interface OpenCase {
  ref: string;
  /** The conversation's key (the user's session). */
  userId: string;
  /** The WeChat contact to send to, for a case whose contact this process has not seen. */
  contactId: string;
  state: 'waiting' | 'human';
  operator?: string;
  since: string;
}

/** Open cases are few (a handful of volunteers); one value holds them all. */
const KEY = 'handoff:open';
/** Longer than any handoff lasts: the timeouts close cases long before. */
const TTL_MS = 30 * 86_400_000;

/**
 * The index from a case reference (#a1b2) to the user, kept in the shared values (in memory,
 * or Redis with STORE_URL, so another process finds it too). Changes in this process run one
 * after another; two processes changing it at the same moment could lose one change (a
 * compare-and-set here is future work: see docs/architecture.md, "Handoff").
 */
export function createOpenCases(values: SharedValues) {
  let chain: Promise<unknown> = Promise.resolve();
  const all = async (): Promise<OpenCase[]> => {
    const raw = await values.get(KEY);
    if (!raw) return [];
    try {
      const parsed = JSON.parse(raw) as unknown;
      return Array.isArray(parsed) ? (parsed as OpenCase[]) : [];
    } catch {
      return [];
    }
  };
  const change = (f: (cases: OpenCase[]) => OpenCase[]): Promise<void> => {
    const run = chain.then(async () => {
      await values.set(KEY, JSON.stringify(f(await all())), TTL_MS);
    });
    chain = run.catch(() => undefined);
    return run;
  };
  return {
    all,
    find: async (ref: string) => (await all()).find((c) => c.ref === ref),
    /** Whether a reference is held by another user's open case (a new one needs another). */
    taken: async (ref: string, userId: string) =>
      (await all()).some((c) => c.ref === ref && c.userId !== userId),
    open: (c: OpenCase) => change((cases) => [...cases.filter((x) => x.ref !== c.ref), c]),
    update: (ref: string, patch: Partial<OpenCase>) =>
      change((cases) => cases.map((c) => (c.ref === ref ? { ...c, ...patch } : c))),
    close: (ref: string) => change((cases) => cases.filter((c) => c.ref !== ref)),
  };
}

export type OpenCases = ReturnType<typeof createOpenCases>;
