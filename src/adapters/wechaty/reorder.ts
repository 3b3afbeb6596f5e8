import { createKeyedQueue } from '../../shared/keyed-queue.js';
/**
 * Puts one user's messages back in the order they were sent. Under load, Wechaty can deliver
 * a user's messages out of order (seen on the mock puppet at 200–400 users × 7 messages: a
 * user's last two messages arrived about 30 ms before the first five; red-team M7), and an
 * answer read against the wrong question is a misread. So each user's messages are held for a
 * short window from the first one, then handled one after another by the time WeChat stamped
 * on them (ties in arrival order). A message arriving after its window has closed is handled
 * in turn, as before.
 */
export interface ReorderBuffer {
  /**
   * Runs `work` in this key's order; resolves or rejects with it. `order` is the puppet's own
   * sequence for the message (the order it reported them in), which breaks ties between equal
   * timestamps: wechat4u stamps whole seconds (red-team M14), so a user's messages within one
   * second all tie, and the arrival order here is the scrambled one.
   */
  add(key: string, sentAt: number, work: () => Promise<void>, order?: number): Promise<void>;
  /** Closes every open window now (at shutdown). */
  flushAll(): void;
}

interface Item {
  sentAt: number;
  order: number;
  seq: number;
  work: () => Promise<void>;
  done: (error?: unknown) => void;
}

export function createReorderBuffer(windowMs: number): ReorderBuffer {
  const open = new Map<string, { items: Item[]; timer: ReturnType<typeof setTimeout> }>();
  // Each key's handled batches run one after another.
  const chains = createKeyedQueue();
  let seq = 0;

  function flush(key: string): void {
    const batch = open.get(key);
    if (!batch) return;
    open.delete(key);
    clearTimeout(batch.timer);
    const items = batch.items.sort(
      (a, b) => a.sentAt - b.sentAt || a.order - b.order || a.seq - b.seq,
    );
    // Each item settles its own caller; the batch itself never fails.
    const batchDone = chains.run(key, async () => {
      for (const item of items) {
        try {
          await item.work();
          item.done();
        } catch (error) {
          item.done(error ?? new Error('failed'));
        }
      }
    });
    batchDone.catch(() => undefined);
  }

  return {
    add(key, sentAt, work, order = Number.MAX_SAFE_INTEGER) {
      return new Promise<void>((resolve, reject) => {
        const item: Item = {
          sentAt,
          order,
          seq: seq++,
          work,
          done: (error) => (error === undefined ? resolve() : reject(error)),
        };
        const batch = open.get(key);
        if (batch) batch.items.push(item);
        else open.set(key, { items: [item], timer: setTimeout(() => flush(key), windowMs) });
      });
    },
    flushAll() {
      for (const key of [...open.keys()]) flush(key);
    },
  };
}
