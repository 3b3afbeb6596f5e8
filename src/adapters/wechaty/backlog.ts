/**
 * Which messages are backlog: what the puppet replays right after login, sent while the bot
 * was away, that should not all be answered at once. Decided on WeChat's own timestamps
 * relative to each other, not on the host clock alone: a host clock ahead of WeChat's made
 * every live message look old and dropped it, with no reply (red-team m36).
 *
 * Messages that arrive in the burst after login (until `gapMs` pass without one, at most
 * `maxMs`) wait for its end. Then a message is backlog when it is stamped more than `graceMs`
 * before the login by the host clock *and* more than `graceMs` before the newest message of
 * the burst: on a skewed clock the newest (live) message is the reference, and only what is
 * older than it is dropped. After the burst every message is live, whatever its timestamp.
 */
export interface BacklogOptions {
  /** Stamps this close to the login (or the newest message) are live. Default 5 s. */
  graceMs: number;
  /** A pause this long ends the burst after login. Default 1 s. */
  gapMs: number;
  /** The burst ends this long after login however many messages keep coming. Default 10 s. */
  maxMs: number;
}

export const DEFAULT_BACKLOG: BacklogOptions = { graceMs: 5_000, gapMs: 1_000, maxMs: 10_000 };

interface Held {
  stamp: number;
  decide: (backlog: boolean) => void;
}

export function createBacklogFilter(
  options: BacklogOptions,
  clock: () => number,
  /** Told how many messages of a burst were backlog (a count, never their text). */
  dropped: (count: number) => void,
) {
  let loginAt = clock();
  let burst: { held: Held[]; timer?: ReturnType<typeof setTimeout> } | undefined;

  const close = () => {
    if (!burst) return;
    const { held, timer } = burst;
    clearTimeout(timer);
    burst = undefined;
    const newest = Math.max(...held.map((h) => h.stamp));
    let count = 0;
    for (const h of held) {
      const old = h.stamp < loginAt - options.graceMs && h.stamp < newest - options.graceMs;
      if (old) count++;
      h.decide(old);
    }
    if (count > 0) dropped(count);
  };
  const wait = () => {
    if (!burst) return;
    clearTimeout(burst.timer);
    const left = loginAt + options.maxMs - clock();
    burst.timer = setTimeout(close, Math.max(0, Math.min(options.gapMs, left)));
    // A burst never keeps the process alive on its own.
    burst.timer.unref?.();
  };

  return {
    /** A login: what the puppet delivers next may be a replay. */
    login() {
      close();
      loginAt = clock();
      burst = { held: [] };
      wait();
    },
    /** Resolves true for a backlog message (not to be answered), false for a live one. */
    isBacklog(stamp: number): Promise<boolean> {
      if (!burst) return Promise.resolve(false);
      const open = burst;
      return new Promise((decide) => {
        open.held.push({ stamp, decide });
        wait();
      });
    },
    /** Decides every held message now (shutdown). */
    flush: close,
  };
}
