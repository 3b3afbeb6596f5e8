import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { Session } from '../core/session.js';
import { DEFAULT_LANG, isLang } from '../shared/types.js';
import type { Logger } from '../log.js';
import { VersionFile } from './durable-file.js';
import type { SessionStore } from './port.js';

interface SessionFile {
  session: Session | null;
}

export interface LowdbStoreOptions {
  /** Flush every write to disk before it counts as done (see VersionFile). Default false. */
  fsync?: boolean;
  /** Recently used sessions kept in memory, so an active user's next message reads no file. */
  cacheSize?: number;
}

export const DEFAULT_CACHE_SIZE = 2000;

export interface LowdbStore extends SessionStore {
  /** Deletes sessions not written since `before`; returns how many. */
  sweep(before: Date): Promise<number>;
}

const VERSION_FILE = /^([0-9a-f]{32})\.(\d+)\.json$/;

/**
 * Sessions as small lowdb files, one per user, in 256 shard directories:
 * `sessions/<ab>/<hash>.<version>.json`. lowdb rewrites a whole file per write, so a single
 * shared file would slow down with every user (25 ms a write at 10k users, 360 ms at 100k)
 * and one corrupt file would lose everyone; per-user files keep a write at the size of one
 * session and confine damage to one user. Names are hashes of the user id, so a directory
 * listing reveals no WeChat ids.
 *
 * Each write creates the next version and then removes the older one, so a crash leaves
 * the old version, the new one, or both, never neither. An in-memory index (hash → versions,
 * built by listing the shards at start) finds the newest without probing; a torn newest
 * version is moved aside and the one before it is used. A write-through cache of recent
 * sessions saves the read on an active user's next message. One process owns a data
 * directory (as with lowdb itself); callers must not touch one user concurrently (the
 * conversation service serialises per user).
 */
export async function createLowdbStore(
  dataDir: string,
  log: Logger,
  options: LowdbStoreOptions = {},
): Promise<LowdbStore> {
  const root = join(dataDir, 'sessions');
  await mkdir(root, { recursive: true, mode: 0o700 });
  // mkdir's mode does not apply to directories that already existed.
  await chmod(dataDir, 0o700);
  await chmod(root, 0o700);
  const index = await buildIndex(root);
  const cache = new LruCache<string, Session>(options.cacheSize ?? DEFAULT_CACHE_SIZE);
  const fsync = options.fsync ?? false;

  const hashOf = (userId: string) => createHash('sha256').update(userId).digest('hex').slice(0, 32);
  const dirOf = (hash: string) => join(root, hash.slice(0, 2));
  const fileOf = (hash: string, version: number) => join(dirOf(hash), `${hash}.${version}.json`);
  const low = (file: string) =>
    new Low<SessionFile>(new VersionFile(file, fsync), { session: null });

  const shards = new Set<string>();
  async function shard(dir: string): Promise<void> {
    if (shards.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    shards.add(dir);
  }

  /**
   * The newest readable version of this user's session; torn ones, and valid JSON of the
   * wrong shape or of another user, are moved aside on the way.
   */
  async function readNewest(hash: string): Promise<Session | undefined> {
    const versions = index.get(hash) ?? [];
    while (versions.length > 0) {
      const file = fileOf(hash, versions.at(-1) ?? 0);
      const db = low(file);
      try {
        await db.read();
        return sessionOf(db.data as unknown, (userId) => hashOf(userId) === hash);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        const aside = `${file}.corrupt-${Date.now()}`;
        await rename(file, aside);
        versions.pop();
        log.warn(
          { file: aside },
          'session version was unreadable; moved aside, using the one before it',
        );
      }
    }
    index.delete(hash);
    return undefined;
  }

  return {
    async get(userId) {
      // Shared, not copied: sessions are never changed in place (the engine builds new ones).
      const cached = cache.get(userId);
      if (cached) return cached;
      const session = await readNewest(hashOf(userId));
      if (session) cache.set(userId, session);
      return session;
    },
    async set(session) {
      const hash = hashOf(session.userId);
      const older = index.get(hash) ?? [];
      let version = (older.at(-1) ?? 0) + 1;
      await shard(dirOf(hash));
      // A version left by a write that failed half-way (before this fix, or by a crash) is
      // skipped, not fatal: the user is never locked out by a stale file.
      for (let tries = 0; ; tries++) {
        const db = low(fileOf(hash, version));
        db.data = { session };
        try {
          await db.write();
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 5) throw error;
          older.push(version);
          version++;
        }
      }
      index.set(hash, [version]);
      // Cached only once on disk, so the cache never holds what a crash would lose.
      cache.set(session.userId, session);
      await Promise.all(older.map((v) => rm(fileOf(hash, v), { force: true })));
    },
    async delete(userId) {
      // Everything of this user: every version and any copy moved aside as corrupt.
      const hash = hashOf(userId);
      cache.delete(userId);
      index.delete(hash);
      const names = await readdir(dirOf(hash)).catch(() => [] as string[]);
      await Promise.all(
        names
          .filter((n) => n.startsWith(`${hash}.`))
          .map((n) => rm(join(dirOf(hash), n), { force: true })),
      );
    },
    async *list() {
      for (const hash of [...index.keys()]) {
        const session = await readNewest(hash).catch(() => undefined);
        if (session) yield session;
      }
    },
    async sweep(before) {
      let removed = 0;
      for (const [hash, versions] of [...index]) {
        const info = await stat(fileOf(hash, versions.at(-1) ?? 0)).catch(() => undefined);
        if (info && info.mtime < before) {
          await Promise.all(versions.map((v) => rm(fileOf(hash, v), { force: true })));
          index.delete(hash);
          removed++;
        }
      }
      // Copies moved aside as damaged hold a user's case too: they expire like sessions.
      for (const shard of await readdir(root).catch(() => [] as string[])) {
        const dir = join(root, shard);
        for (const name of await readdir(dir).catch(() => [] as string[])) {
          if (!name.includes('.corrupt-')) continue;
          const info = await stat(join(dir, name)).catch(() => undefined);
          if (info && info.mtime < before) await rm(join(dir, name), { force: true });
        }
      }
      if (removed > 0) cache.clear();
      return removed;
    },
  };
}

/** hash → versions present on disk, oldest first. */
async function buildIndex(root: string): Promise<Map<string, number[]>> {
  const index = new Map<string, number[]>();
  for (const shard of await readdir(root)) {
    const names = await readdir(join(root, shard)).catch(() => [] as string[]);
    for (const name of names) {
      const m = VERSION_FILE.exec(name);
      if (!m?.[1] || !m[2]) continue;
      const versions = index.get(m[1]) ?? [];
      versions.push(Number(m[2]));
      index.set(m[1], versions);
    }
  }
  for (const versions of index.values()) versions.sort((a, b) => a - b);
  return index;
}

/** A Map kept in use order: reading an entry moves it to the end; the oldest goes first. */
class LruCache<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity: number) {}
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }
  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity)
      this.entries.delete(this.entries.keys().next().value as K);
  }
  delete(key: K): void {
    this.entries.delete(key);
  }
  clear(): void {
    this.entries.clear();
  }
}

/**
 * A stored file's session, checked: a file that is JSON but not a session of this user (null,
 * [], {}, another user's session behind a planted link) is treated like a torn one. An
 * unknown language falls back to the default rather than showing raw keys.
 */
function sessionOf(data: unknown, owns: (userId: string) => boolean): Session {
  const session = (data as { session?: unknown } | null)?.session as
    Partial<Session> | null | undefined;
  const ok =
    session !== null &&
    typeof session === 'object' &&
    session.v === 1 &&
    typeof session.userId === 'string' &&
    owns(session.userId) &&
    typeof session.stepId === 'string' &&
    typeof session.facts === 'object' &&
    session.facts !== null &&
    Array.isArray(session.history);
  if (!ok) throw new SyntaxError('not a session of this user');
  return isLang(session.lang)
    ? (session as Session)
    : { ...(session as Session), lang: DEFAULT_LANG };
}
