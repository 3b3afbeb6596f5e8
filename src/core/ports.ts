import type { Lang } from '../shared/types.js';
import type { Session } from './session.js';

/**
 * What the core needs from the outside, defined here so that adapters depend on the core and
 * never the other way round (store/ and i18n/ implement these).
 */

/** A stored session and the revision it was read at. */
export interface Stored {
  value: Session;
  /** Opaque to callers beyond "pass it back to write"; grows by one per write. */
  revision: number;
}

/** What a compare-and-set write did: saved at a new revision, or refused because another write came first. */
export type WriteResult = { ok: true; revision: number } | { ok: false; conflict: true };

/**
 * Where sessions live (contract v2). Small on purpose, so that every store is easy to write
 * and to fake, but with what several processes need: a revision per key and a compare-and-set
 * write, so that two writers never silently overwrite each other (grammY's storage docs warn
 * that plain read-modify-write loses updates across processes).
 */
export interface SessionStore {
  /**
   * The session and its revision, or undefined when nothing is stored. A stored value that is
   * unreadable or not this key's session (torn, another shape, another type) reads as
   * undefined too, and is moved aside or dropped, so that `write(key, s, undefined)` then
   * succeeds: a damaged value never locks its user out (test/store-contract.test.ts).
   */
  read(key: string): Promise<Stored | undefined>;
  /**
   * Saves `value` under `key` if the stored revision is still `expected` (`undefined`: only if
   * nothing is stored). A conflict is reported, never overwritten.
   */
  write(key: string, value: Session, expected: number | undefined): Promise<WriteResult>;
  /** Erases everything stored about the key, whatever its revision. */
  delete(key: string): Promise<void>;
  /** Every stored session, for statistics (counts only); absent where a backend cannot list. */
  list?(): AsyncIterable<Session>;
  /**
   * Deletes sessions not written since `before`; returns how many. Absent when the backend
   * expires entries by itself (a key's TTL), which then needs no sweep.
   */
  sweep?(before: Date): Promise<number>;
  /**
   * Whether the store lost this key's conversation since this process saw it (a Redis
   * restarted empty), told once; absent where a backend cannot tell (red-team m25).
   */
  lost?(key: string): boolean;
  /** Releases what the store holds (connections, a lock on its directory). */
  close?(): Promise<void>;
}

/** What a flood gate says of one more message: take it, the one "slow down", or nothing more. */
export type Verdict = 'ok' | 'warn' | 'drop';

/** Counts messages per key (a user, a group room) over a window. */
export interface FloodGate {
  admit(key: string): Verdict | Promise<Verdict>;
}

/** Remembers channel message ids for a while: true the first time an id is seen. */
export interface Deduplicator {
  first(id: string): boolean | Promise<boolean>;
}

/**
 * Small values with an expiry that a channel keeps between requests (the rest of a long
 * answer, the reply to a message WeChat may retry). In memory by default; shared through
 * Redis when several processes serve one account.
 */
export interface SharedValues {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Sets `key` only if it holds nothing: undefined when this call set it, else the value
   * already there (atomic across processes). A signed request's nonce is claimed this way, so
   * that it is used once (red-team M8).
   */
  claim(key: string, value: string, ttlMs: number): Promise<string | undefined>;
  /**
   * Adds `member` to the set at `key` and keeps the set `ttlMs` more (atomic across
   * processes: two adding at once both stay, where a list read, changed and written back lost
   * one; review finding 11). `delete(key)` removes the set.
   */
  addMember(key: string, member: string, ttlMs: number): Promise<void>;
  /** The members of the set at `key` (none when it is gone). */
  members(key: string): Promise<string[]>;
}

/** One language's words: a key and its variables in, the text out. */
export interface Translator {
  (key: string, vars?: Record<string, unknown>): string;
  exists(key: string): boolean;
  /**
   * Every variable the key's texts can use (its forms' placeholders, its nested texts', and
   * `count` and `context`): a text depends on these values only, so a caller may compute just
   * them. Absent: the caller passes every variable it has.
   */
  uses?(key: string): readonly string[];
}

export type Translators = (lang: Lang) => Translator;

/**
 * Where a channel that pulls its messages (微信客服's `sync_msg`) keeps its place, per account,
 * shared by every process on the store: a lease so that one process pulls at a time, and a
 * cursor saved only if it is still the one the pull started from (a process whose lease ran
 * out cannot move it back).
 */
export interface Cursors {
  get(key: string): Promise<string | undefined>;
  /** Saves `next` if the stored cursor is still `expected` (undefined: none yet); false otherwise. */
  advance(key: string, expected: string | undefined, next: string): Promise<boolean>;
  /** Takes the lease on `key` for `ttlMs`: a token to release it with, or undefined while another holds it. */
  lease(key: string, ttlMs: number): Promise<string | undefined>;
  /** Gives the lease back, if it is still the one `token` took. */
  release(key: string, token: string): Promise<void>;
}
