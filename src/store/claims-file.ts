import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import type { SharedValues } from '../core/ports.js';

/** Appended lines beyond which the file is rewritten with only the live claims. */
const COMPACT_AFTER = 10_000;

/**
 * Shared values whose claims outlive the process, for the file store (Redis keeps its own):
 * a signed request's nonce claimed before a restart is still claimed after it, so an exact
 * copy of a recent request cannot be replayed by restarting the server first (red-team M8).
 * Everything else stays in memory, as before. Claims are appended to one small file, one
 * JSON line each ([key, value, until]); expired ones are dropped when it is rewritten.
 */
export async function withDurableClaims(
  inner: SharedValues,
  file: string,
  now: () => number = Date.now,
): Promise<SharedValues> {
  const live = new Map<string, { value: string; until: number }>();
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  });
  for (const line of text.split('\n')) {
    try {
      const [key, value, until] = JSON.parse(line) as [unknown, unknown, unknown];
      if (typeof key === 'string' && typeof value === 'string' && typeof until === 'number')
        if (until > now()) live.set(key, { value, until });
    } catch {
      // A line torn by a crash mid-append is the only kind that can fail: skipped.
    }
  }
  let appended = 0;
  const compact = async () => {
    appended = 0;
    const t = now();
    const lines = [...live]
      .filter(([, c]) => c.until > t)
      .map(([key, c]) => `${JSON.stringify([key, c.value, c.until])}\n`);
    await writeFile(`${file}.tmp`, lines.join(''), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  };
  if (text !== '') await compact();
  for (const [key, c] of live) await inner.claim(key, c.value, c.until - now());
  return {
    get: (key) => inner.get(key),
    set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
    delete: (key) => inner.delete(key),
    addMember: (key, member, ttlMs) => inner.addMember(key, member, ttlMs),
    members: (key) => inner.members(key),
    async claim(key, value, ttlMs) {
      const held = await inner.claim(key, value, ttlMs);
      if (held !== undefined) return held;
      const until = now() + ttlMs;
      live.set(key, { value, until });
      // On disk before the request is answered: a claim a crash could lose would not hold.
      await appendFile(file, `${JSON.stringify([key, value, until])}\n`, { mode: 0o600 });
      if (++appended >= COMPACT_AFTER) {
        for (const [k, c] of live) if (c.until <= now()) live.delete(k);
        await compact();
      }
      return undefined;
    },
  };
}
