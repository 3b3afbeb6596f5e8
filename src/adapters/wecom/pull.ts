import type { Cursors, SharedValues } from '../../core/ports.js';
import type { Logger } from '../../log.js';
import type { KfItem, WecomApi } from './api.js';

export interface KfPullerDeps {
  api: WecomApi;
  cursors: Cursors;
  shared: SharedValues;
  log: Logger;
  /** Runs one page's items; the cursor moves past them once it resolves. */
  handle(items: readonly KfItem[]): Promise<void>;
  /** When this process started (ms): on the very first pull, older items are not answered. */
  startedAt?: number;
  /** How long one pull may hold an account's lease before another process may take it. */
  leaseMs?: number;
}

/** At most this many pages per pull (1,000 items each), so a pull always ends. */
const MAX_PAGES = 100;
/** The callback's Token is valid for 10 minutes (WeCom document 31078). */
const TOKEN_MS = 10 * 60_000;

/**
 * Pulls an account's messages with kf/sync_msg after a callback says there are new ones:
 * page by page while `has_more` (an empty page may still have more), the cursor saved after
 * each page, by compare-and-set. One process pulls an account at a time (a lease in the
 * store); a callback that arrives meanwhile leaves a note, and the holder pulls again when
 * it is done, so no message waits for the next callback.
 *
 * The very first pull (no cursor stored yet) reads the backlog WeCom keeps without answering
 * it: a new deployment does not reply to days-old messages; what was sent after this process
 * started is answered.
 */
export function createKfPuller(deps: KfPullerDeps) {
  const { api, cursors, shared, log } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  // send_time is in whole seconds: a message from the second the process started is answered.
  const startedSecond = Math.floor((deps.startedAt ?? Date.now()) / 1000);
  const noteKey = (openKfId: string) => `kf-pull:${openKfId}`;

  async function pull(openKfId: string, token: string): Promise<void> {
    let cursor = await cursors.get(openKfId);
    const first = cursor === undefined;
    let skipped = 0;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const result = await api.syncMsg({
        openKfId,
        ...(cursor ? { cursor } : {}),
        ...(token ? { token } : {}),
      });
      const fresh = first
        ? result.items.filter((item) => (item.send_time ?? 0) >= startedSecond)
        : result.items;
      skipped += result.items.length - fresh.length;
      if (fresh.length > 0) await deps.handle(fresh);
      // '' marks "backlog read" even when WeCom gave no cursor, so it is never skipped again.
      const next = result.nextCursor || (cursor ?? '');
      if (next !== cursor || cursor === undefined) {
        if (!(await cursors.advance(openKfId, cursor, next))) {
          log.warn('微信客服: another process moved the cursor; it continues from there');
          return;
        }
        cursor = next;
      }
      if (!result.hasMore) break;
    }
    if (skipped > 0)
      log.info({ skipped }, '微信客服: backlog from before the first start read, not answered');
  }

  return {
    /**
     * A callback for this account: pulls now, or leaves a note for the process pulling it.
     * Resolves when this process has nothing more to pull (tests wait for it; the callback
     * does not).
     */
    async notify(openKfId: string, token: string): Promise<void> {
      await shared.set(noteKey(openKfId), token || ' ', TOKEN_MS);
      for (;;) {
        const lease = await cursors.lease(openKfId, leaseMs);
        if (!lease) return;
        try {
          const noted = await shared.get(noteKey(openKfId));
          await shared.delete(noteKey(openKfId));
          await pull(openKfId, (noted ?? token).trim());
        } finally {
          await cursors.release(openKfId, lease);
        }
        // A callback that came while pulling found the lease taken: its note is read here.
        if ((await shared.get(noteKey(openKfId))) === undefined) return;
      }
    },
  };
}
