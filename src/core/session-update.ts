import type { SessionStore } from './ports.js';
import type { Session } from './session.js';

/** Another writer won every attempt: unexpected, so reported, and the user asked to resend. */
class WriteConflictError extends Error {
  override readonly name = 'WriteConflictError';
  constructor(key: string, attempts: number) {
    super(`session changed under ${attempts} attempts in a row (key length ${key.length})`);
  }
}

/**
 * Enough for a handful of processes racing on one user (4 processes × 200 messages to one
 * user, on 2 busy cores, lost a message at 8 attempts without pauses); beyond it, something
 * is wrong.
 */
const MAX_WRITE_ATTEMPTS = 30;

export interface SessionUpdater {
  /**
   * Read, run the pure engine, compare-and-set. When another process wrote this user in
   * between (a shared store), the engine runs again on the fresh session, so no answer is lost
   * or counted twice. A `null` session in the outcome means "erase" (forget).
   */
  update<T extends { session: Session | null }>(
    key: string,
    run: (session: Session | undefined) => T,
  ): Promise<T>;
  /** As `update`, but a run that returns undefined (nothing to do) writes nothing. */
  updateIf<T extends { session: Session | null }>(
    key: string,
    run: (session: Session | undefined) => T | undefined,
  ): Promise<T | undefined>;
}

export function createSessionUpdater(
  store: SessionStore,
  observe?: (before: Session | undefined, after: Session) => void,
): SessionUpdater {
  async function updateIf<T extends { session: Session | null }>(
    key: string,
    run: (session: Session | undefined) => T | undefined,
  ): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      const stored = await store.read(key);
      const outcome = run(stored?.value);
      if (!outcome) return undefined;
      if (!outcome.session) {
        // Erased even when nothing readable was stored: damaged copies are the user's data too.
        await store.delete(key);
        return outcome;
      }
      const result = await store.write(key, outcome.session, stored?.revision);
      if (result.ok) {
        observe?.(stored?.value, outcome.session);
        return outcome;
      }
      if (attempt >= MAX_WRITE_ATTEMPTS) throw new WriteConflictError(key, attempt);
      // A random pause growing with each attempt (up to 100 ms), so that racing writers stop
      // colliding in lockstep.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 100)),
      );
    }
  }
  return {
    updateIf,
    async update(key, run) {
      const outcome = await updateIf(key, run);
      if (!outcome) throw new Error('update: the run returned nothing');
      return outcome;
    },
  };
}
