import type { SharedValues } from '../../core/ports.js';

/**
 * The rest of a long answer, kept until the user asks for it ("继续" / "more"), for 48 hours
 * (the customer-service window). Kept in the shared values, so that with several webhook
 * workers on one Redis the next "继续" may reach any of them.
 */
export interface Outbox {
  put(user: string, pages: string[]): Promise<void>;
  /** The next page, if any is waiting. */
  next(user: string): Promise<string | undefined>;
  /** Pages still waiting. */
  left(user: string): Promise<number>;
  clear(user: string): Promise<void>;
}

const TTL_MS = 48 * 3_600_000;

export function createOutbox(shared: SharedValues): Outbox {
  const key = (user: string) => `oa-more:${user}`;
  const read = async (user: string): Promise<string[]> => {
    const raw = await shared.get(key(user));
    if (raw === undefined) return [];
    try {
      const pages = JSON.parse(raw) as unknown;
      return Array.isArray(pages) ? pages.filter((p): p is string => typeof p === 'string') : [];
    } catch {
      return [];
    }
  };
  const write = async (user: string, pages: string[]) =>
    pages.length === 0
      ? shared.delete(key(user))
      : shared.set(key(user), JSON.stringify(pages), TTL_MS);
  return {
    put: (user, pages) => write(user, pages),
    async next(user) {
      const [page, ...rest] = await read(user);
      if (page !== undefined) await write(user, rest);
      return page;
    },
    left: async (user) => (await read(user)).length,
    clear: (user) => shared.delete(key(user)),
  };
}

/** What a user sends for the next part of a long answer (the OA webhook and 微信客服). */
export const MORE_WORDS: ReadonlySet<string> = new Set([
  '继续',
  '更多',
  '下一页',
  'more',
  'continue',
  'next',
]);
