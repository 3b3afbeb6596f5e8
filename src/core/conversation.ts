import { isStoreFull } from '../shared/errors.js';
import { createKeyedQueue } from '../shared/keyed-queue.js';
import { handleMedia, handleMessage, type MessageContext } from './message-turn.js';
import { createSessionUpdater } from './session-update.js';
import type { Deduplicator, FloodGate, SessionStore, Verdict } from './ports.js';
import type { Engine, Inbound, Outcome } from './engine.js';
import { DEFAULT_LANG, type Lang } from '../shared/types.js';
import type { Session } from './session.js';
import type { Reply } from './replies.js';
import type { HandoffEvent, OperatorAction } from './handoff.js';

/** The replies to one message, and the language the user is spoken to in (for a channel's own hints). */
export interface Turned {
  replies: Reply[];
  lang: Lang;
  /** What the operator side must hear (docs/architecture.md, "Handoff"); channels relay it. */
  handoff?: HandoffEvent[];
  /** The user's conversation was erased (forget): a channel erases what it keeps of them too. */
  erased?: true;
}

/** What an operator's (or the clock's) action came to: see `ConversationService.operate`. */
export type Operated = Turned | 'not-due' | undefined;

export interface ConversationService {
  /** Handles one message; resolves with the replies once the session is saved. */
  handle(inbound: Inbound): Promise<Turned>;
  /** A non-text message: a reply asking for words; nothing is stored. Counted by the flood gate. */
  handleMedia(userId: string): Promise<Turned>;
  /**
   * Counts one message against the flood gate under each key (a user, a group room) for a
   * channel that answers outside the conversation (a group @mention): "ok", the one
   * "slow down" ("warn"), or nothing more ("drop").
   */
  admit(keys: string[]): Promise<Verdict>;
  /** The greeting-back for a user who already has a conversation, or undefined. */
  resume(userId: string): Promise<Turned | undefined>;
  /**
   * Replaces the user's conversation with one a tool builds (console --at: a conversation
   * that starts at a step); what `build` throws reaches the caller.
   */
  replace(userId: string, build: (now: Date) => Outcome): Promise<Reply[]>;
  /**
   * Moves a conversation stored under an old key to a new one (a channel that changed how it
   * names users), unless the new key already has one. Returns whether anything moved.
   */
  rekey(from: string, to: string): Promise<boolean>;
  /**
   * An operator's action on a user's case, or the clock's (expire): the replies for the user
   * and the events for the operator side; `not-due` when the clock found the case open but
   * nothing has run out yet; undefined when there is no such case (no session, no handoff, or
   * one under another reference than `ref`): the operator side forgets it.
   */
  operate(userId: string, action: OperatorAction, ref?: string): Promise<Operated>;
  /** Where the user now stands, for recording transcripts. */
  stepOf(userId: string): Promise<string | undefined>;
  /** Swaps in an engine for a reloaded flow (console --watch); sessions migrate on their next message. */
  replaceEngine(next: Engine): void;
}

/**
 * Wraps the pure engine with the store. One user's messages run strictly in order (a queue
 * per user); different users run concurrently.
 */
export interface FloodLimit {
  /** At most this many messages from one user… */
  messages: number;
  /** …in any window this long; beyond it, one "please slow down" and the rest go unread. */
  windowMs: number;
}

export const DEFAULT_FLOOD_LIMIT: FloodLimit = { messages: 8, windowMs: 10_000 };

/**
 * Told about an unexpected error while handling one user's message (the adapter logs it with
 * its stack, never the message text); the user is asked to send it again.
 */
export type ErrorReport = (error: unknown, userId: string) => void;

export interface ConversationOptions {
  engine: Engine;
  store: SessionStore;
  clock?: () => Date;
  /** false: no limit (the console, where the only user is the operator). */
  flood?: FloodLimit | false;
  report?: ErrorReport;
  /**
   * Monotonic milliseconds for the in-memory flood windows: a wall clock stepped back (NTP, an
   * operator) would otherwise hold a user's window open for as long as the step (red-team m7).
   */
  ticks?: () => number;
  /** A flood gate shared by several processes (Redis); default: this process's memory. */
  floodGate?: FloodGate;
  /** Channel message ids already handled, shared by several processes; default: in memory. */
  dedup?: Deduplicator;
  /**
   * Told of every session saved, with the one it replaced: metrics derive plans reached and
   * unclear answers from the pair (counts only; nothing of it is kept).
   */
  observe?: (before: Session | undefined, after: Session) => void;
}

export function createConversationService(options: ConversationOptions): ConversationService {
  const { store } = options;
  let engine = options.engine;
  const clock = options.clock ?? (() => new Date());
  const queue = createKeyedQueue();
  const serialised = <T>(userId: string, work: () => Promise<T>): Promise<T> =>
    queue.run(userId, work);
  const ctx = messageContext(options, () => engine, serialised);
  const { update, updateIf } = ctx;
  return {
    handle: (inbound) => handleMessage(ctx, inbound),
    handleMedia: (userId) => handleMedia(ctx, userId),
    admit: async (keys) => {
      const verdicts = await Promise.all(keys.map((key) => ctx.gate(key)));
      if (verdicts.includes('drop') || verdicts.includes('unavailable')) return 'drop';
      return verdicts.includes('warn') ? 'warn' : 'ok';
    },
    resume: (userId) =>
      serialised(userId, async () => {
        if (!(await store.read(userId))) return undefined;
        const outcome = await update(userId, (session) =>
          session
            ? engine.resume(session, clock())
            : { session: null, replies: [], lang: DEFAULT_LANG },
        );
        return { replies: outcome.replies, lang: outcome.lang };
      }),
    replace: (userId, build) =>
      serialised(userId, async () => (await update(userId, () => build(clock()))).replies),
    rekey: (from, to) => rekey(store, serialised, from, to),
    operate: (userId, action, ref) =>
      serialised(userId, async (): Promise<Operated> => {
        let open = false;
        const outcome = await updateIf(userId, (session) => {
          open =
            session?.handoff !== undefined && (ref === undefined || session.handoff.ref === ref);
          return session && open ? engine.operate(session, action, clock()) : undefined;
        });
        // A case with no session or handoff behind it (retention, a store restarted empty, a
        // forget whose event was lost) is told apart from one not due yet: it is closed, not
        // re-run by every process's timer forever (review finding 6).
        if (!outcome) return open && action.type === 'expire' ? 'not-due' : undefined;
        return { replies: outcome.replies, lang: outcome.lang, handoff: outcome.handoff ?? [] };
      }),
    stepOf: (userId) => serialised(userId, async () => (await store.read(userId))?.value.stepId),
    replaceEngine: (next) => {
      engine = next;
    },
  };
}

/** What handling one message needs: the store, updates, the flood gate and dedup, the queue. */
function messageContext(
  options: ConversationOptions,
  engine: () => Engine,
  serialised: MessageContext['serialised'],
): MessageContext {
  const report = options.report ?? (() => undefined);
  const flood = options.flood ?? DEFAULT_FLOOD_LIMIT;
  const floodGate: FloodGate =
    options.floodGate ??
    memoryFloodGate(
      flood || { messages: Number.POSITIVE_INFINITY, windowMs: 0 },
      options.ticks ?? (() => performance.now()),
    );
  return {
    get engine() {
      return engine();
    },
    store: options.store,
    dedup: options.dedup ?? createMemoryDedup(),
    clock: options.clock ?? (() => new Date()),
    report,
    // Both the flood gate and deduplication may be remote: failing them is "try again".
    gate: async (key) => {
      try {
        return await floodGate.admit(key);
      } catch (error) {
        report(error, key);
        // A full store cannot count (a write), yet can still read and erase: the message
        // goes on, so that `forget` works while Redis is full (red-team m22).
        return isStoreFull(error) ? 'ok' : 'unavailable';
      }
    },
    serialised,
    ...createSessionUpdater(options.store, options.observe),
  };
}

/** A user's conversation under a new key (a contact whose id changed), unless one is there. */
async function rekey(
  store: SessionStore,
  serialised: MessageContext['serialised'],
  from: string,
  to: string,
): Promise<boolean> {
  if (from === to) return false;
  return serialised(to, () =>
    serialised(from, async () => {
      if (await store.read(to)) return false;
      const old = await store.read(from);
      if (!old) return false;
      const moved = await store.write(to, { ...old.value, userId: to }, undefined);
      if (!moved.ok) return false;
      await store.delete(from);
      return true;
    }),
  );
}

/** The in-memory flood gate, one per process: `createFloodGate` over monotonic time. */
function memoryFloodGate(limit: FloodLimit, ticks: () => number): FloodGate {
  const gate = createFloodGate(limit);
  return { admit: (key) => gate.admit(key, ticks()) };
}

/** Message ids seen in the last while, in memory: WeChat retries within seconds. */
export function createMemoryDedup(capacity = 10_000): Deduplicator {
  const seen = new Set<string>();
  return {
    first(id) {
      if (seen.has(id)) return false;
      seen.add(id);
      // Oldest first out: a Set iterates in insertion order.
      if (seen.size > capacity) seen.delete(seen.values().next().value as string);
      return true;
    },
  };
}

/**
 * Per-user message counting over a sliding window, in memory only: a restart forgets it,
 * which is fine for a guard against bursts.
 */
export function createFloodGate(limit: FloodLimit) {
  // Ordered by each user's latest admitted message (a user moves to the end when admitted), so
  // users whose window has passed are always at the front: pruning costs O(1) per message,
  // whatever the number of active users (it was O(users) beyond 10,000).
  const users = new Map<string, { times: number[]; warned: boolean }>();
  return {
    admit(userId: string, now: number): Verdict {
      prune(now);
      const entry = users.get(userId) ?? { times: [], warned: false };
      entry.times = entry.times.filter((t) => t > now - limit.windowMs);
      if (entry.times.length < limit.messages) {
        entry.times.push(now);
        entry.warned = false;
        users.delete(userId);
        users.set(userId, entry);
        return 'ok';
      }
      users.set(userId, entry);
      if (entry.warned) return 'drop';
      entry.warned = true;
      return 'warn';
    },
    /** Users remembered now (for tests: the gate forgets users whose window has passed). */
    size: () => users.size,
  };

  function prune(now: number) {
    for (const [id, entry] of users) {
      if ((entry.times.at(-1) ?? Number.NEGATIVE_INFINITY) > now - limit.windowMs) break;
      users.delete(id);
    }
  }
}
