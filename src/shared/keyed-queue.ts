/**
 * Work that must run one at a time per key (one user's messages, one contact's sends) and
 * side by side across keys. Each piece starts when the previous one for its key has settled,
 * whether it succeeded or failed; the caller sees its own piece's result or error. A key with
 * nothing left to run is forgotten, so the map holds only busy keys.
 */
export interface KeyedQueue {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Keys with work queued or running. */
  readonly busy: number;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const run = previous.then(work, work);
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, settled);
      // `settled` never rejects; both handlers are there for the lint that proves it of every chain.
      const done = () => {
        if (tails.get(key) === settled) tails.delete(key);
      };
      settled.then(done, done);
      return run;
    },
    get busy() {
      return tails.size;
    },
  };
}
