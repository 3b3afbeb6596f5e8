import type { Session } from '../core/session.js';

/** Where sessions live. Tiny on purpose: every store is easy to write and to fake. */
export interface SessionStore {
  get(userId: string): Promise<Session | undefined>;
  set(session: Session): Promise<void>;
  /** Erases everything stored about the user. */
  delete(userId: string): Promise<void>;
  /** Every stored session, for statistics (counts only) and retention sweeps. */
  list(): AsyncIterable<Session>;
}
