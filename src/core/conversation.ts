import { UnavailableError } from '../shared/errors.js';
import type { Deduplicator, FloodGate, SessionStore, Verdict } from './ports.js';
import type { Engine, Inbound, Outcome } from './engine.js';
import { detectLanguage } from './language.js';
import { DEFAULT_LANG, type Lang } from '../shared/types.js';
import type { Session } from './session.js';
import type { Reply } from './replies.js';

/** The replies to one message, and the language the user is spoken to in (for a channel's own hints). */
export interface Turned {
  replies: Reply[];
  lang: Lang;
}

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
}

export function createConversationService(options: ConversationOptions): ConversationService {
  const { store } = options;
  let engine = options.engine;
  const clock = options.clock ?? (() => new Date());
  const report = options.report ?? (() => undefined);
  const flood = options.flood ?? DEFAULT_FLOOD_LIMIT;
  const floodGate: FloodGate =
    options.floodGate ??
    memoryFloodGate(
      flood || { messages: Number.POSITIVE_INFINITY, windowMs: 0 },
      options.ticks ?? (() => performance.now()),
    );
  const dedup = options.dedup ?? createMemoryDedup();
  const queues = new Map<string, Promise<unknown>>();

  function serialised<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(userId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    queues.set(userId, settled);
    // `settled` never rejects; the handler is there for the lint that proves it of every chain.
    const done = () => {
      if (queues.get(userId) === settled) queues.delete(userId);
    };
    settled.then(done, done);
    return run;
  }

  /**
   * Read, run the pure engine, compare-and-set. When another process wrote this user in
   * between (a shared store), the engine runs again on the fresh session, so no answer is lost
   * or counted twice. A `null` session in the outcome means "erase" (forget).
   */
  async function update<T extends { session: Session | null }>(
    key: string,
    run: (session: Session | undefined) => T,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const stored = await store.read(key);
      const outcome = run(stored?.value);
      if (!outcome.session) {
        // Erased even when nothing readable was stored: damaged copies are the user's data too.
        await store.delete(key);
        return outcome;
      }
      const result = await store.write(key, outcome.session, stored?.revision);
      if (result.ok) return outcome;
      if (attempt >= MAX_WRITE_ATTEMPTS) throw new WriteConflictError(key, attempt);
      // A random pause growing with each attempt (up to 100 ms), so that racing writers stop
      // colliding in lockstep.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 100)),
      );
    }
  }

  /** The user's language for a reply outside the conversation ("slow down"). */
  async function langOf(userId: string, fallback: Lang): Promise<Lang> {
    return (await store.read(userId).catch(() => undefined))?.value.lang ?? fallback;
  }

  /** Both the flood gate and deduplication may be remote: failing them is "try again". */
  async function gate(key: string): Promise<Verdict | 'unavailable'> {
    try {
      return await floodGate.admit(key);
    } catch (error) {
      report(error, key);
      return 'unavailable';
    }
  }

  return {
    handle: async (inbound) => {
      const fallback = inbound.lang ?? detectLanguage(inbound.text.slice(0, 200));
      const said = (replies: Reply[], lang: Lang = fallback): Turned => ({ replies, lang });
      // A channel that retries (the Official Account) sends the same message id again: a
      // repeat is never handled twice. Ids are unique only per sender and account (two
      // accounts on one Redis, red-team m18): the user id, which names both, is in the key.
      if (inbound.messageId !== undefined) {
        const first = await Promise.resolve(
          dedup.first(`${inbound.channel ?? 'unknown'}:${inbound.userId}:${inbound.messageId}`),
        ).catch((error: unknown) => {
          report(error, inbound.userId);
          return undefined;
        });
        if (first === undefined) return said(engine.sorry(fallback, 'unavailable'));
        if (!first) return said([]);
      }
      // Checked before queueing, so a flood neither builds a queue nor touches the session.
      const verdict = await gate(inbound.userId);
      if (verdict === 'unavailable') return said(engine.sorry(fallback, 'unavailable'));
      if (verdict === 'drop') return said([]);
      // Queued behind the user's earlier messages, so "slow down" comes after their replies.
      if (verdict === 'warn')
        return serialised(inbound.userId, async () => {
          const lang = await langOf(inbound.userId, fallback);
          return said(engine.slowDown(lang), lang);
        });
      return serialised(inbound.userId, async () => {
        let lang = inbound.lang;
        // The error boundary for one message: whatever fails (a store write on a full disk,
        // Redis gone, a bug), this user hears "please send that again" and everyone else goes on.
        try {
          const outcome = await update(inbound.userId, (session) => {
            lang = session?.lang ?? lang;
            return engine.handle(session, inbound, clock());
          });
          return said(outcome.replies, outcome.lang);
        } catch (error) {
          report(error, inbound.userId);
          const reason = error instanceof UnavailableError ? 'unavailable' : 'error';
          return said(engine.sorry(lang ?? fallback, reason), lang ?? fallback);
        }
      });
    },
    handleMedia: async (userId) => {
      // Pictures, stickers and voice count like words: a flood of them is a flood.
      const verdict = await gate(userId);
      if (verdict === 'drop') return { replies: [], lang: DEFAULT_LANG };
      return serialised(userId, async () => {
        const session = (await store.read(userId).catch(() => undefined))?.value;
        const lang = session?.lang ?? DEFAULT_LANG;
        if (verdict === 'unavailable') return { replies: engine.sorry(lang, 'unavailable'), lang };
        const replies = verdict === 'warn' ? engine.slowDown(lang) : engine.media(session);
        return { replies, lang };
      });
    },
    admit: async (keys) => {
      const verdicts = await Promise.all(keys.map((key) => gate(key)));
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
    rekey: async (from, to) =>
      from !== to &&
      serialised(to, () =>
        serialised(from, async () => {
          if (await store.read(to)) return false;
          const old = await store.read(from);
          if (!old) return false;
          const moved = await store.write(to, { ...old.value, userId: to }, undefined);
          if (!moved.ok) return false;
          await store.delete(from);
          return true;
        }),
      ),
    stepOf: (userId) => serialised(userId, async () => (await store.read(userId))?.value.stepId),
    replaceEngine: (next) => {
      engine = next;
    },
  };
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
