import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session } from '../core/session.js';
import type { Logger } from '../log.js';
import { VersionFile } from './durable-file.js';
import { acquireDirLock } from './dir-lock.js';
import { sessionOf } from './session-shape.js';
import type { SessionStore } from './port.js';

interface SessionFile {
  session: Session | null;
}

export interface SessionFileStoreOptions {
  /** Flush every write to disk before it counts as done (see VersionFile). Default false. */
  fsync?: boolean;
  /** Recently used sessions kept in memory, so an active user's next message reads no file. */
  cacheSize?: number;
  /**
   * Reads only (`flow stats` beside a running bot): takes no lock, creates nothing and leaves
   * damaged files where they are.
   */
  readOnly?: boolean;
}

export const DEFAULT_CACHE_SIZE = 2000;

export interface SessionFileStore extends SessionStore {
  sweep(before: Date): Promise<number>;
  list(): AsyncIterable<Session>;
  close(): Promise<void>;
}

/** Whether a stored version is of a conversation handed to a person (unreadable: no). */
async function handedOver(file: string): Promise<boolean> {
  const data = await new VersionFile<{ session?: { handoff?: unknown } }>(file, false)
    .read()
    .catch(() => null);
  return Boolean(data?.session?.handoff);
}

const VERSION_FILE = /^([0-9a-f]{32})\.(\d+)\.json$/;

/**
 * Sessions as small lowdb-adapter files, one per user, in 256 shard directories:
 * `sessions/<ab>/<hash>.<version>.json`. A single shared file would slow down with every user
 * (lowdb rewrites a whole file per write: 25 ms a write at 10k users, 360 ms at 100k) and one
 * corrupt file would lose everyone; per-user files keep a write at the size of one session and
 * confine damage to one user. Names are hashes of the key, so a listing reveals no WeChat ids.
 *
 * The version number is the revision of contract v2. Each write creates the next version with
 * `wx` (never overwriting, never following a planted link) and then removes the older one, so
 * a crash leaves the old version, the new one, or both, never neither. An in-memory index
 * (hash → versions, built by listing the shards at start) finds the newest without probing and
 * answers compare-and-set; a torn newest version is moved aside and the one before it is used.
 * A write-through cache of recent sessions saves the read on an active user's next message.
 *
 * lowdb's `Low` keeps one document in memory for its whole life; here the unit is one version
 * of one user's session, written once and never rewritten, so the store uses lowdb's `Adapter`
 * contract (VersionFile) directly instead of wrapping each file in a short-lived `Low`.
 *
 * One process owns a data directory: a lock file refuses a second one at start.
 */
export async function createSessionFileStore(
  dataDir: string,
  log: Logger,
  options: SessionFileStoreOptions = {},
): Promise<SessionFileStore> {
  const root = join(dataDir, 'sessions');
  const readOnly = options.readOnly ?? false;
  let unlock = async () => undefined as void;
  if (!readOnly) {
    // Only directories created here get 0700 (mkdir's mode): an existing DATA_DIR keeps its
    // mode (a shared /tmp keeps its sticky bit), and no chmod can follow a symlink elsewhere.
    await mkdir(root, { recursive: true, mode: 0o700 });
    const info = await lstat(root);
    if (info.isSymbolicLink() || !info.isDirectory())
      throw Object.assign(new Error(`${root} is not a directory`), { code: 'ENOTDIR' });
    if ((info.mode & 0o077) !== 0)
      log.warn({ dir: root }, 'the sessions directory can be read by other users; chmod 700 it');
    unlock = await acquireDirLock(dataDir);
  }
  const index = await buildIndex(root, log);
  const cache = new LruCache<string, Session>(options.cacheSize ?? DEFAULT_CACHE_SIZE);
  const fsync = options.fsync ?? false;
  /** Hashes with a write or delete under way: the sweep leaves them alone (red-team m6). */
  const busy = new Set<string>();

  // The first 16 bytes as hex, made as a string of its own: `digest('hex').slice(0, 32)` is a
  // V8 slice that keeps the whole 64-character digest alive in the index and the cache.
  const hashOf = (key: string) => createHash('sha256').update(key).digest().toString('hex', 0, 16);
  const dirOf = (hash: string) => join(root, hash.slice(0, 2));
  const fileOf = (hash: string, version: number) => join(dirOf(hash), `${hash}.${version}.json`);
  const adapter = (file: string) => new VersionFile<SessionFile>(file, fsync);

  const shards = new Set<string>();
  async function shard(dir: string): Promise<void> {
    if (shards.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // A shard replaced by a symlink would put users' files outside DATA_DIR (red-team m15).
    if ((await lstat(dir)).isSymbolicLink())
      throw Object.assign(new Error(`${dir} is a symbolic link`), { code: 'ELOOP' });
    shards.add(dir);
  }

  /**
   * The newest readable version of this key's session; torn ones, links, and valid JSON of the
   * wrong shape or of another user, are moved aside on the way.
   */
  async function readNewest(
    hash: string,
  ): Promise<{ session: Session; version: number } | undefined> {
    const versions = index.versions(hash);
    while (versions.length > 0) {
      const version = versions.at(-1) ?? 0;
      const file = fileOf(hash, version);
      try {
        const data = await adapter(file).read();
        return { session: sessionOf(data, (key) => hashOf(key) === hash), version };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (!(error instanceof SyntaxError) && code !== 'ELOOP' && code !== 'EISDIR') throw error;
        if (readOnly) return undefined;
        const aside = `${file}.corrupt-${Date.now()}`;
        await rename(file, aside);
        // Unless a write replaced this key's versions meanwhile.
        if (index.newest(hash) === version) index.set(hash, versions.slice(0, -1));
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

  async function exclusive<T>(hash: string, work: () => Promise<T>): Promise<T> {
    busy.add(hash);
    try {
      return await work();
    } finally {
      busy.delete(hash);
    }
  }

  return {
    async read(key) {
      const hash = hashOf(key);
      // Shared, not copied: sessions are never changed in place (the engine builds new ones).
      const cached = cache.get(hash);
      const newest = index.newest(hash);
      if (cached && newest !== undefined) return { value: cached, revision: newest };
      const found = await readNewest(hash);
      if (!found) return undefined;
      cache.set(hash, found.session);
      return { value: found.session, revision: found.version };
    },
    async write(key, session, expected) {
      if (readOnly) throw new Error('this session store was opened read-only');
      const hash = hashOf(key);
      // Checked and claimed synchronously: of two writes on one revision, only one goes on.
      if (busy.has(hash) || index.newest(hash) !== expected) return { ok: false, conflict: true };
      return exclusive(hash, async () => {
        const older = index.versions(hash);
        let version = (expected ?? 0) + 1;
        await shard(dirOf(hash));
        // A version left by a write that failed half-way (before that was fixed, or by a crash)
        // is skipped, not fatal: the user is never locked out by a stale file.
        for (let tries = 0; ; tries++) {
          try {
            await adapter(fileOf(hash, version)).write({ session });
            break;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 5) throw error;
            older.push(version);
            version++;
          }
        }
        index.set(hash, [version]);
        // Cached only once on disk, so the cache never holds what a crash would lose.
        cache.set(hash, session);
        await Promise.all(older.map((v) => rm(fileOf(hash, v), { force: true })));
        return { ok: true, revision: version };
      });
    },
    async delete(key) {
      if (readOnly) throw new Error('this session store was opened read-only');
      // Everything of this key: every version and any copy moved aside as corrupt.
      const hash = hashOf(key);
      cache.delete(hash);
      index.delete(hash);
      await exclusive(hash, async () => {
        const names = await readdir(dirOf(hash)).catch(() => [] as string[]);
        await Promise.all(
          names
            .filter((n) => n.startsWith(`${hash}.`))
            .map((n) => rm(join(dirOf(hash), n), { force: true })),
        );
      });
    },
    async *list() {
      for (const hash of index.hashes()) {
        const found = await readNewest(hash).catch(() => undefined);
        if (found) yield found.session;
      }
    },
    async sweep(before) {
      let removed = 0;
      for (const hash of index.hashes()) {
        const versions = index.versions(hash);
        const newest = versions.at(-1) ?? 0;
        const info = await stat(fileOf(hash, newest)).catch(() => undefined);
        if (!info || info.mtime >= before) continue;
        // A conversation handed to a person is kept however long it has been quiet: its
        // operator side may still answer (the handoff timeouts return it to the bot first).
        if (await handedOver(fileOf(hash, newest))) continue;
        // Checked again after the await, synchronously with the removal from the index: a
        // message that wrote meanwhile (or is writing) keeps its user (red-team m6).
        if (busy.has(hash) || index.newest(hash) !== newest) continue;
        index.delete(hash);
        cache.delete(hash);
        await Promise.all(versions.map((v) => rm(fileOf(hash, v), { force: true })));
        removed++;
      }
      // Copies moved aside as damaged hold a user's case too: they expire like sessions.
      for (const shard of await readdir(root).catch(() => [] as string[])) {
        const dir = join(root, shard);
        for (const name of await readdir(dir).catch(() => [] as string[])) {
          if (!name.includes('.corrupt-')) continue;
          const info = await lstat(join(dir, name)).catch(() => undefined);
          if (info && info.mtime < before) await rm(join(dir, name), { force: true });
        }
      }
      return removed;
    },
    close: () => unlock(),
  };
}

/** hash → versions present on disk, oldest first. Shards that are links are not entered. */
async function buildIndex(root: string, log: Logger): Promise<VersionIndex> {
  const index = new VersionIndex();
  const entries = await readdir(root, { withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    if (!entry.isDirectory()) {
      if (entry.isSymbolicLink()) log.warn({ dir: entry.name }, 'ignoring a linked shard');
      continue;
    }
    const names = await readdir(join(root, entry.name)).catch(() => [] as string[]);
    for (const name of names) {
      const m = VERSION_FILE.exec(name);
      if (!m?.[1] || !m[2]) continue;
      // A copy, not the match: a match is a slice that keeps the whole file name alive.
      index.add(Buffer.from(m[1], 'hex').toString('hex'), Number(m[2]));
    }
  }
  return index;
}

/**
 * hash → the versions on disk, oldest first, for every stored user: at 100k users this is most
 * of what the store keeps in memory. Nearly every user has one version, kept as a number
 * rather than an array of one (bench: 17 MB → 8 MB of heap at 100k, with `hashOf`'s flat keys).
 */
class VersionIndex {
  readonly #versions = new Map<string, number | number[]>();

  newest(hash: string): number | undefined {
    const v = this.#versions.get(hash);
    return typeof v === 'number' ? v : v?.at(-1);
  }

  /** A copy of the key's versions, oldest first (empty when none). */
  versions(hash: string): number[] {
    const v = this.#versions.get(hash);
    return v === undefined ? [] : typeof v === 'number' ? [v] : [...v];
  }

  set(hash: string, versions: readonly number[]): void {
    if (versions.length === 0) this.#versions.delete(hash);
    else this.#versions.set(hash, versions.length === 1 ? (versions[0] ?? 0) : [...versions]);
  }

  /** One more version found on disk, kept in order. */
  add(hash: string, version: number): void {
    this.set(
      hash,
      [...this.versions(hash), version].sort((a, b) => a - b),
    );
  }

  delete(hash: string): void {
    this.#versions.delete(hash);
  }

  /** The keys as they are now (a copy: the caller may await between them). */
  hashes(): string[] {
    return [...this.#versions.keys()];
  }
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
}
