import type { SessionStore } from '../store/port.js';
import type { Engine, Inbound } from './engine.js';
import type { Lang } from './types.js';

export class StartAtError extends Error {
  override readonly name = 'StartAtError';
}

export interface ConversationService {
  /** Handles one message; resolves with the replies once the session is saved. */
  handle(inbound: Inbound): Promise<string[]>;
  /** A non-text message: a reply asking for words; nothing is stored. */
  handleMedia(userId: string): Promise<string[]>;
  /** The greeting-back for a user who already has a conversation, or undefined. */
  resume(userId: string): Promise<string[] | undefined>;
  /** Replaces the user's conversation with one that starts at a step (console --at). */
  startAt(userId: string, lang: Lang, stepId: string, facts: Record<string, string>): Promise<string[]>;
  /** Where the user now stands, for recording transcripts. */
  stepOf(userId: string): Promise<string | undefined>;
  /** Swaps in an engine for a reloaded flow (console --watch); sessions migrate on their next message. */
  replaceEngine(next: Engine): void;
}

/**
 * Wraps the pure engine with the store. One user's messages run strictly in order (a queue
 * per user); different users run concurrently.
 */
export function createConversationService(initial: Engine, store: SessionStore, clock: () => Date): ConversationService {
  let engine = initial;
  const queues = new Map<string, Promise<unknown>>();

  function serialised<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(userId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    queues.set(userId, settled);
    void settled.then(() => {
      if (queues.get(userId) === settled) queues.delete(userId);
    });
    return run;
  }

  return {
    handle: (inbound) =>
      serialised(inbound.userId, async () => {
        const session = await store.get(inbound.userId);
        const outcome = engine.handle(session, inbound, clock());
        if (outcome.session) await store.set(outcome.session);
        else await store.delete(inbound.userId);
        return outcome.replies;
      }),
    handleMedia: (userId) => serialised(userId, async () => engine.media(await store.get(userId))),
    resume: (userId) =>
      serialised(userId, async () => {
        const session = await store.get(userId);
        if (!session) return undefined;
        const outcome = engine.resume(session, clock());
        if (outcome.session) await store.set(outcome.session);
        return outcome.replies;
      }),
    startAt: (userId, lang, stepId, facts) =>
      serialised(userId, async () => {
        const outcome = engine.startAt(userId, lang, stepId, facts, clock());
        if ('error' in outcome) throw new StartAtError(outcome.error);
        if (outcome.session) await store.set(outcome.session);
        return outcome.replies;
      }),
    stepOf: (userId) => serialised(userId, async () => (await store.get(userId))?.stepId),
    replaceEngine: (next) => {
      engine = next;
    },
  };
}
