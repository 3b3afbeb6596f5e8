import type { Lang } from '../shared/types.js';
import type { Session } from './session.js';

/**
 * What the core needs from the outside, defined here so that adapters depend on the core and
 * never the other way round (store/ and i18n/ implement these).
 */

/** Where sessions live. Tiny on purpose: every store is easy to write and to fake. */
export interface SessionStore {
  get(userId: string): Promise<Session | undefined>;
  set(session: Session): Promise<void>;
  /** Erases everything stored about the user. */
  delete(userId: string): Promise<void>;
  /** Every stored session, for statistics (counts only) and retention sweeps. */
  list(): AsyncIterable<Session>;
}

/** One language's words: a key and its variables in, the text out. */
export interface Translator {
  (key: string, vars?: Record<string, unknown>): string;
  exists(key: string): boolean;
}

export type Translators = (lang: Lang) => Translator;
