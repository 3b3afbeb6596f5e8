/**
 * The rest of a long answer, kept until the user asks for it ("继续" / "more"). In memory, per
 * process, bounded; forgotten after a while (48 hours: the customer-service window).
 */
export interface Outbox {
  put(user: string, pages: string[]): void;
  /** The next page, if any is waiting. */
  next(user: string): string | undefined;
  /** Pages still waiting. */
  left(user: string): number;
  clear(user: string): void;
}

export function createOutbox(ttlMs = 48 * 3_600_000, capacity = 10_000): Outbox {
  const waiting = new Map<string, { pages: string[]; until: number }>();
  return {
    put(user, pages) {
      waiting.delete(user);
      if (pages.length === 0) return;
      waiting.set(user, { pages: [...pages], until: Date.now() + ttlMs });
      if (waiting.size > capacity) waiting.delete(waiting.keys().next().value as string);
    },
    next(user) {
      const entry = waiting.get(user);
      if (!entry || entry.until < Date.now()) {
        waiting.delete(user);
        return undefined;
      }
      const page = entry.pages.shift();
      if (entry.pages.length === 0) waiting.delete(user);
      return page;
    },
    left(user) {
      const entry = waiting.get(user);
      return entry && entry.until >= Date.now() ? entry.pages.length : 0;
    },
    clear(user) {
      waiting.delete(user);
    },
  };
}
