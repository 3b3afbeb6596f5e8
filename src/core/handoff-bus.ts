/**
 * What the handoff shares between processes (docs/architecture.md, "Handoff"): the open cases
 * and the queues that carry a case's events to the operators and an operator's words to the
 * process that can reach the user (the Official Account's sender, the bot, a console user).
 * Each field and each queue item changes on its own, so two processes never overwrite each
 * other's changes (a single JSON value read, changed and written back lost one of two
 * concurrent changes). Backends: memory, files under DATA_DIR, Redis (hashes and lists).
 */
export interface HandoffBus {
  fields(name: string): SharedFields;
  queue(name: string): SharedQueue;
  close(): Promise<void>;
}

/** A hash of fields (Redis HSET/HDEL; one file per field on disk). */
export interface SharedFields {
  get(field: string): Promise<string | undefined>;
  set(field: string, value: string): Promise<void>;
  /**
   * Changes one field by a function of what it holds (compare-and-set, retried while another
   * process changed it in between); `f` returning undefined deletes it. Resolves with what the
   * field holds after.
   */
  update(
    field: string,
    f: (value: string | undefined) => string | undefined,
  ): Promise<string | undefined>;
  delete(field: string): Promise<void>;
  all(): Promise<Map<string, string>>;
}

/**
 * A queue any process pushes to; each item is taken by one taker only. It keeps at most
 * QUEUE_MAX_ITEMS (the oldest go first, trimmed on push) and none older than QUEUE_TTL_MS
 * (each item's own age, dropped when taken or trimmed), so a queue nobody takes holds no
 * user's words for longer.
 */
export interface SharedQueue {
  push(item: string): Promise<void>;
  take(): Promise<string[]>;
  /** Removes the items `match` picks (a user's, on forget), wherever they are in the queue. */
  purge(match: (item: string) => boolean): Promise<void>;
}

/** A queue keeps at most this many items (the oldest go first) and only for this long. */
export const QUEUE_MAX_ITEMS = 500;
export const QUEUE_TTL_MS = 2 * 86_400_000;
