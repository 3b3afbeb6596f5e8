import type { Logger } from '../log.js';
import type { LowdbStore } from './lowdb.js';

const DAY_MS = 86_400_000;

/**
 * Deletes sessions idle longer than `days`, now and then every `everyHours`. People's money
 * troubles should not be kept longer than they are useful. Returns a function that stops it.
 */
export function startRetention(
  store: Pick<LowdbStore, 'sweep'>,
  days: number,
  everyHours: number,
  log: Logger,
  clock: () => Date = () => new Date(),
): () => void {
  const sweep = async () => {
    try {
      const removed = await store.sweep(new Date(clock().getTime() - days * DAY_MS));
      if (removed > 0) log.info({ removed, days }, 'retention sweep deleted idle sessions');
    } catch (error) {
      log.error({ err: (error as Error).message }, 'retention sweep failed');
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), everyHours * 3_600_000);
  // The sweep never keeps the process alive on its own.
  timer.unref();
  return () => clearInterval(timer);
}
