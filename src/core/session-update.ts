import { isStoreFull } from '../shared/errors.js';
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

/** Users asked "erase everything?" while the store was full, remembered at most (oldest out). */
const MAX_HELD_QUESTIONS = 1_000;

export interface SessionUpdater {
  /**
   * Read, run the pure engine, compare-and-set. When another process wrote this user in
   * between (a shared store), the engine runs again on the fresh session, so no answer is lost
   * or counted twice. A `null` session in the outcome means "erase" (forget).
   */
  update<T extends { session: Session | null }>(
    key: string,
    run: (session: Session | undefined) => T,
    by?: UpdateBy,
  ): Promise<T>;
  /** As `update`, but a run that returns undefined (nothing to do) writes nothing. */
  updateIf<T extends { session: Session | null }>(
    key: string,
    run: (session: Session | undefined) => T | undefined,
    by?: UpdateBy,
  ): Promise<T | undefined>;
}

/**
 * Who changes the session: the user's message (which alone answers an "erase everything?"
 * held while the store was full), or anything else (an operator, the clock's check, a
 * resume), which leaves that question for the user's answer (review finding 10: the 30-s
 * expire sweep dropped it before the user could say 是).
 */
export type UpdateBy = 'message' | 'other';

export function createSessionUpdater(
  store: SessionStore,
  observe?: (before: Session | undefined, after: Session) => void,
): SessionUpdater {
  /**
   * "Erase everything?" asked while the store refused to save the question (Redis at maxmemory
   * with noeviction, a full disk): key → the revision it was asked at. Held in this process
   * until the user's next message, which answers it, so that 删除我的数据 + 是 erases even a
   * full store (erasing needs no room; red-team m22). Only while the stored session is still
   * that revision: anything written since makes the question void.
   */
  const heldQuestions = new Map<string, number>();
  async function updateIf<T extends { session: Session | null }>(
    key: string,
    run: (session: Session | undefined) => T | undefined,
    by: UpdateBy = 'other',
  ): Promise<T | undefined> {
    const asked = by === 'message' ? heldQuestions.get(key) : undefined;
    if (by === 'message') heldQuestions.delete(key);
    for (let attempt = 1; ; attempt++) {
      const stored = await store.read(key);
      const before =
        stored && stored.revision === asked
          ? { ...stored.value, pending: 'confirm-forget' as const }
          : stored?.value;
      const outcome = run(before);
      if (!outcome) return undefined;
      if (!outcome.session) {
        // Erased even when nothing readable was stored: damaged copies are the user's data too.
        await store.delete(key);
        return outcome;
      }
      const result = await store
        .write(key, outcome.session, stored?.revision)
        .catch((error: unknown) => {
          const question =
            outcome.session?.pending === 'confirm-forget' && before?.pending !== 'confirm-forget';
          if (!stored || !question || !isStoreFull(error)) throw error;
          heldQuestions.set(key, stored.revision);
          if (heldQuestions.size > MAX_HELD_QUESTIONS)
            heldQuestions.delete(heldQuestions.keys().next().value as string);
          return 'held' as const;
        });
      if (result === 'held') return outcome;
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
    async update(key, run, by) {
      const outcome = await updateIf(key, run, by);
      if (!outcome) throw new Error('update: the run returned nothing');
      return outcome;
    },
  };
}
