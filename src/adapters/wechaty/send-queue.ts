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
  /** Resolves once sent, or once given up after the retries. Never rejects. */
  enqueue(send: () => Promise<unknown>): Promise<boolean>;
  /** Resolves when everything queued so far has been sent or given up. */
  drain(): Promise<void>;
  readonly pending: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One queue for all outgoing messages of the account: FIFO (so each contact's replies stay
 * in order), spaced by a minimum interval plus jitter, and capped per rolling minute.
 */
export function createSendQueue(options: SendQueueOptions, log: Logger): SendQueue {
  const random = options.random ?? Math.random;
  const items: Array<{ send: () => Promise<unknown>; done: (ok: boolean) => void }> = [];
  const sentAt: number[] = [];
  let running: Promise<void> | undefined;
  let lastSent = Number.NEGATIVE_INFINITY;

  async function waitForSlot(): Promise<void> {
    const spacing = lastSent + options.minIntervalMs + random() * options.jitterMs - Date.now();
    if (spacing > 0) await sleep(spacing);
    for (;;) {
      const now = Date.now();
      while (sentAt.length > 0 && (sentAt[0] ?? 0) <= now - 60_000) sentAt.shift();
      if (sentAt.length < options.maxPerMinute) return;
      await sleep((sentAt[0] ?? now) + 60_000 - now);
    }
  }

  async function sendWithRetries(send: () => Promise<unknown>): Promise<boolean> {
    for (let attempt = 0; attempt <= options.retries; attempt++) {
      await waitForSlot();
      lastSent = Date.now();
      sentAt.push(lastSent);
      try {
        await send();
        return true;
      } catch (error) {
        log.warn({ attempt: attempt + 1, err: (error as Error).message }, 'send failed');
      }
    }
    log.error({ retries: options.retries }, 'send given up after retries');
    return false;
  }

  async function run(): Promise<void> {
    for (let item = items.shift(); item; item = items.shift())
      item.done(await sendWithRetries(item.send));
    running = undefined;
  }

  return {
    enqueue(send) {
      return new Promise<boolean>((done) => {
        items.push({ send, done });
        running ??= run();
      });
    },
    async drain() {
      while (running) await running;
    },
    get pending() {
      return items.length + (running ? 1 : 0);
    },
  };
}
