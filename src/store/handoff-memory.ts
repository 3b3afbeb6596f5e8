import { QUEUE_MAX_ITEMS, QUEUE_TTL_MS, type HandoffBus } from '../core/handoff-bus.js';

/** The handoff's shared fields and queues in this process's memory (tests, one process). */
export function createMemoryHandoffBus(): HandoffBus {
  const hashes = new Map<string, Map<string, string>>();
  const queues = new Map<string, Array<{ at: number; item: string }>>();
  const hash = (name: string) => {
    let h = hashes.get(name);
    if (!h) hashes.set(name, (h = new Map()));
    return h;
  };
  return {
    fields: (name) => ({
      get: async (field) => hash(name).get(field),
      set: async (field, value) => void hash(name).set(field, value),
      update: async (field, f) => {
        const next = f(hash(name).get(field));
        if (next === undefined) hash(name).delete(field);
        else hash(name).set(field, next);
        return next;
      },
      delete: async (field) => void hash(name).delete(field),
      all: async () => new Map(hash(name)),
    }),
    queue: (name) => ({
      push: async (item) => {
        const q = [...(queues.get(name) ?? []), { at: Date.now(), item }];
        queues.set(name, q.slice(-QUEUE_MAX_ITEMS));
      },
      take: async () => {
        const q = queues.get(name) ?? [];
        queues.delete(name);
        const now = Date.now();
        return q.filter((e) => now - e.at <= QUEUE_TTL_MS).map((e) => e.item);
      },
      purge: async (match) => {
        const q = queues.get(name);
        if (q)
          queues.set(
            name,
            q.filter((e) => !match(e.item)),
          );
      },
    }),
    close: async () => undefined,
  };
}
