import type { SharedValues } from '../../core/ports.js';
import { DEFAULT_LANG, isLang, type Lang } from '../../shared/types.js';

/**
 * The rest of a long answer, kept until the user asks for it ("继续" / "more"), for 48 hours
 * (the customer-service window). Kept in the shared values, so that with several webhook
 * workers on one Redis the next "继续" may reach any of them. The user's language is kept with
 * the pages, so the paging hint is in it, whatever a page quotes (red-team M11: an English
 * plan quoting the Chinese text for the police was guessed to be Chinese).
 */
export interface Outbox {
  put(user: string, pages: string[], lang: Lang): Promise<void>;
  /** The next page and the language it was written for, if any is waiting. */
  next(user: string): Promise<{ page: string; lang: Lang } | undefined>;
  /** Pages still waiting. */
  left(user: string): Promise<number>;
  clear(user: string): Promise<void>;
}

const TTL_MS = 48 * 3_600_000;

interface Kept {
  lang: Lang | undefined;
  pages: string[];
}

export function createOutbox(shared: SharedValues): Outbox {
  const key = (user: string) => `oa-more:${user}`;
  const read = async (user: string): Promise<Kept> => {
    const raw = await shared.get(key(user));
    if (raw === undefined) return { lang: undefined, pages: [] };
    try {
      const kept = JSON.parse(raw) as { lang?: unknown; pages?: unknown } | unknown[];
      // An array is what an older version kept: pages without their language.
      const pages = Array.isArray(kept) ? kept : Array.isArray(kept?.pages) ? kept.pages : [];
      const lang = !Array.isArray(kept) && isLang(kept?.lang) ? kept.lang : undefined;
      return { lang, pages: pages.filter((p): p is string => typeof p === 'string') };
    } catch {
      return { lang: undefined, pages: [] };
    }
  };
  const write = async (user: string, kept: Kept) =>
    kept.pages.length === 0
      ? shared.delete(key(user))
      : shared.set(key(user), JSON.stringify(kept), TTL_MS);
  return {
    put: (user, pages, lang) => write(user, { lang, pages }),
    async next(user) {
      const { lang, pages } = await read(user);
      const [page, ...rest] = pages;
      if (page === undefined) return undefined;
      await write(user, { lang, pages: rest });
      return { page, lang: lang ?? DEFAULT_LANG };
    },
    left: async (user) => (await read(user)).pages.length,
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
