import type { SessionStore } from '../store/port.js';
import type { Engine, Inbound } from './engine.js';

export interface ConversationService {
  /** Handles one message; resolves with the replies once the session is saved. */
  handle(inbound: Inbound): Promise<string[]>;
  /** A non-text message: a reply asking for words; nothing is stored. */
  handleMedia(userId: string): Promise<string[]>;
  /** The greeting-back for a user who already has a conversation, or undefined. */
  resume(userId: string): Promise<string[] | undefined>;
}

/**
 * Wraps the pure engine with the store. One user's messages run strictly in order (a queue
 * per user); different users run concurrently.
 */
export function createConversationService(engine: Engine, store: SessionStore, clock: () => Date): ConversationService {
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
  };
}
