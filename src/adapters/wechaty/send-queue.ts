import type { Logger } from '../../log.js';

export interface SendQueueOptions {
  /** Least time between two sends. Bursts get personal accounts restricted. */
  minIntervalMs: number;
  /** Up to this much extra random delay per send, so the rhythm does not look machine-made. */
  jitterMs: number;
  maxPerMinute: number;
  /** Further tries after a failed send, then it is logged and dropped (the session is safe). */
  retries: number;
  random?: () => number;
}

export const DEFAULT_SEND_OPTIONS: SendQueueOptions = {
  minIntervalMs: 1500,
  jitterMs: 1000,
  maxPerMinute: 20,
  retries: 2,
};

export interface SendQueue {
  /**
   * Queues a send for one contact (`key`). Resolves true once sent, false once given up after
   * the retries. Never rejects.
   */
  enqueue(send: () => Promise<unknown>, key?: string): Promise<boolean>;
  /** Resolves when everything queued so far has been sent or given up, or after `timeoutMs`. */
  drain(timeoutMs?: number): Promise<void>;
  readonly pending: number;
}

/** A send that has not settled by then counts as failed: one stuck contact must not stall all. */
export const SEND_TIMEOUT_MS = 15_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Item {
  send: () => Promise<unknown>;
  done: (ok: boolean) => void;
  tries: number;
}

/**
 * One queue for all outgoing messages of the account, spaced by a minimum interval plus
 * jitter and capped per rolling minute (the account's limits), but served round-robin across
 * contacts: each contact's replies stay in order, a second user's first reply does not wait
 * behind a first user's whole plan, and a contact whose sends fail or hang (each try times
 * out) is retried after the others have had their turn.
 */
export function createSendQueue(
  options: SendQueueOptions & { timeoutMs?: number },
  log: Logger,
): SendQueue {
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  const byKey = new Map<string, Item[]>();
  const turns: string[] = [];
  const sentAt: number[] = [];
  let running: Promise<void> | undefined;
  /** Tries under way (settle() never throws, so these never reject). */
  const inFlight = new Set<Promise<void>>();
  let lastSent = Number.NEGATIVE_INFINITY;
  let count = 0;

  async function waitForSlot(): Promise<void> {
    const spacing =
      lastSent + options.minIntervalMs + random() * options.jitterMs - performance.now();
    if (spacing > 0) await sleep(spacing);
    for (;;) {
      const now = performance.now();
      while (sentAt.length > 0 && (sentAt[0] ?? 0) <= now - 60_000) sentAt.shift();
      if (sentAt.length < options.maxPerMinute) return;
      await sleep((sentAt[0] ?? now) + 60_000 - now);
    }
  }

  async function attempt(item: Item): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`send timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([item.send(), timedOut]);
      return true;
    } catch (error) {
      log.warn({ attempt: item.tries + 1, err: (error as Error).message }, 'send failed');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next contact's first item. Its turn comes again only after this send is done. */
  function take(): [string, Item] | undefined {
    const key = turns.shift();
    if (key === undefined) return undefined;
    const item = byKey.get(key)?.shift();
    return item ? [key, item] : take();
  }

  function put(key: string, item: Item, first = false): void {
    const list = byKey.get(key);
    if (!list) {
      byKey.set(key, [item]);
      turns.push(key);
    } else if (first) list.unshift(item);
    else list.push(item);
  }

  /** After a contact's send: back to the end of the line if it has more, else forgotten. */
  function release(key: string): void {
    if ((byKey.get(key)?.length ?? 0) > 0) turns.push(key);
    else byKey.delete(key);
  }

  /** What a settled try means for its item; the contact's turn comes back only now. */
  function settle(key: string, item: Item, ok: boolean): void {
    if (ok) {
      count--;
      item.done(true);
    } else if (item.tries < options.retries) {
      item.tries++;
      // Back at the head of its own contact's line; the other contacts go first.
      put(key, item, true);
    } else {
      count--;
      log.error({ retries: options.retries }, 'send given up after retries');
      item.done(false);
    }
    release(key);
    running ??= run();
  }

  async function run(): Promise<void> {
    for (let next = take(); next; next = take()) {
      const [key, item] = next;
      await waitForSlot();
      lastSent = performance.now();
      sentAt.push(lastSent);
      // The queue waits for a send at most one pacing interval, then serves the next contact:
      // a send that hangs (red-team M13: 15 s a try, 3 tries a bubble) holds up only its own
      // contact, whose turn comes back when the try settles or times out.
      const tried = attempt(item).then((ok) => {
        inFlight.delete(tried);
        settle(key, item, ok);
      });
      inFlight.add(tried);
      await Promise.race([tried, sleep(Math.max(options.minIntervalMs, 50))]);
    }
    running = undefined;
  }

  return {
    enqueue(send, key = '') {
      return new Promise<boolean>((done) => {
        put(key, { send, done, tries: 0 });
        count++;
        running ??= run();
      });
    },
    async drain(timeoutMs?: number) {
      const all = (async () => {
        for (;;) {
          const waiting = [...(running ? [running] : []), ...inFlight];
          if (waiting.length === 0) return;
          await Promise.race(waiting);
        }
      })();
      if (timeoutMs === undefined) return all;
      await Promise.race([all, sleep(timeoutMs)]);
    },
    get pending() {
      return count;
    },
  };
}
