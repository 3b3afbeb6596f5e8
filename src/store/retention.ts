import type { Logger } from '../log.js';
import type { SessionStore } from './port.js';

const DAY_MS = 86_400_000;

/**
 * Deletes sessions idle longer than `days`, now and then every `everyHours`. People's money
 * troubles should not be kept longer than they are useful. Returns a function that stops it.
 */
export function startRetention(
  store: Required<Pick<SessionStore, 'sweep'>>,
  days: number,
  everyHours: number,
  log: Logger,
  clock: () => Date = () => new Date(),
): () => void {
  let running = false;
  const sweep = async () => {
    // A sweep slower than the interval (a huge store, a slow disk) is not started twice.
    if (running) return;
    running = true;
    try {
      const removed = await store.sweep(new Date(clock().getTime() - days * DAY_MS));
      if (removed > 0) log.info({ removed, days }, 'retention sweep deleted idle sessions');
    } catch (error) {
      log.error({ err: (error as Error).message }, 'retention sweep failed');
    } finally {
      running = false;
    }
  };
  // sweep() handles its own failures; the catch only keeps a bug in it from going unhandled.
  const run = () => void sweep().catch(() => undefined);
  run();
  const timer = setInterval(run, everyHours * 3_600_000);
  // The sweep never keeps the process alive on its own.
  timer.unref();
  return () => clearInterval(timer);
}
