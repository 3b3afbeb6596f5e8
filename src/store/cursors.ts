import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Cursors } from '../core/ports.js';

/** Leases in this process's memory: one process owns a DATA_DIR (its directory lock). */
function memoryLeases(): Pick<Cursors, 'lease' | 'release'> {
  const leases = new Map<string, { token: string; until: number }>();
  return {
    lease: async (key, ttlMs) => {
      const held = leases.get(key);
      if (held && held.until > Date.now()) return undefined;
      const token = randomBytes(8).toString('hex');
      leases.set(key, { token, until: Date.now() + ttlMs });
      return token;
    },
    release: async (key, token) => {
      if (leases.get(key)?.token === token) leases.delete(key);
    },
  };
}

/** Cursors in memory only (tests, throwaway runs): a restart starts again from no cursor. */
export function createMemoryCursors(): Cursors {
  const cursors = new Map<string, string>();
  return {
    ...memoryLeases(),
    get: async (key) => cursors.get(key),
    advance: async (key, expected, next) => {
      if (cursors.get(key) !== expected) return false;
      cursors.set(key, next);
      return true;
    },
  };
}

/**
 * Cursors in one small JSON file (`DATA_DIR/wecom-cursors.json`, 0600), rewritten whole
 * through a temporary file and a rename, so a crash leaves the old or the new file, never a
 * torn one. There are a handful of keys (one per 微信客服 account), so rewriting is cheap. A
 * file that cannot be read is treated as "no cursor": the next pull drains the backlog
 * without replying, which loses no conversation (those are in the sessions).
 */
export function createFileCursors(path: string): Cursors {
  let cache: Record<string, string> | undefined;
  let writing: Promise<unknown> = Promise.resolve();
  const load = async (): Promise<Record<string, string>> => {
    if (cache) return cache;
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
      cache =
        parsed && typeof parsed === 'object' && !Array.isArray(parsed)
          ? Object.fromEntries(
              Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
            )
          : {};
    } catch {
      cache = {};
    }
    return cache;
  };
  const save = async (all: Record<string, string>) => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify(all), { mode: 0o600 });
    await rename(temp, path);
  };
  return {
    ...memoryLeases(),
    get: async (key) => (await load())[key],
    advance: (key, expected, next) => {
      // One write at a time, in order: the compare and the write see the same file.
      const run = writing.then(async () => {
        const all = await load();
        if (all[key] !== expected) return false;
        const updated = { ...all, [key]: next };
        await save(updated);
        cache = updated;
        return true;
      });
      writing = run.catch(() => undefined);
      return run;
    },
  };
}
