import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { Session } from '../core/session.js';
import type { Logger } from '../log.js';
import { DurableJSONFile } from './durable-file.js';
import type { SessionStore } from './port.js';

interface SessionFile {
  session: Session | null;
}

export interface LowdbStoreOptions {
  /** Flush every write to disk before it counts as done (see DurableJSONFile). Default false. */
  fsync?: boolean;
}

export interface LowdbStore extends SessionStore {
  /** Deletes sessions not written since `before`; returns how many. */
  sweep(before: Date): Promise<number>;
}

/**
 * One small lowdb file per user, in 256 shard directories: `sessions/<ab>/<hash>.json`.
 * lowdb rewrites a whole file per write, so a single shared file would slow down with every
 * user (25 ms a write at 10k users, 360 ms at 100k) and one corrupt file would lose everyone;
 * per-user files keep a write at the size of one session and confine damage to one user.
 * Names are hashes of the user id, so a directory listing reveals no WeChat ids.
 *
 * Callers must not touch one user concurrently (the conversation service serialises per
 * user): two writers on one file would race.
 */
export async function createLowdbStore(dataDir: string, log: Logger, options: LowdbStoreOptions = {}): Promise<LowdbStore> {
  const root = join(dataDir, 'sessions');
  await mkdir(root, { recursive: true, mode: 0o700 });
  // mkdir's mode does not apply to directories that already existed.
  await chmod(dataDir, 0o700);
  await chmod(root, 0o700);
  const shardsMade = new Set<string>();

  const locate = (userId: string) => {
    const hash = createHash('sha256').update(userId).digest('hex').slice(0, 32);
    const dir = join(root, hash.slice(0, 2));
    return { dir, file: join(dir, `${hash}.json`), hash };
  };
  const open = (file: string) => new Low<SessionFile>(new DurableJSONFile(file, options.fsync ?? false), { session: null });

  async function shard(dir: string): Promise<void> {
    if (shardsMade.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    shardsMade.add(dir);
  }

  async function* files(): AsyncGenerator<string> {
    for (const dir of await readdir(root)) {
      const entries = await readdir(join(root, dir)).catch(() => [] as string[]);
      for (const name of entries) if (name.endsWith('.json')) yield join(root, dir, name);
    }
  }

  return {
    async get(userId) {
      const { file } = locate(userId);
      const db = open(file);
      try {
        await db.read();
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        const aside = `${file}.corrupt-${Date.now()}`;
        await rename(file, aside);
        log.warn({ file: aside }, 'session file was unreadable; moved aside and starting a new conversation');
        return undefined;
      }
      return db.data.session ?? undefined;
    },
    async set(session) {
      const { dir, file } = locate(session.userId);
      await shard(dir);
      const db = open(file);
      db.data = { session };
      await db.write();
    },
    async delete(userId) {
      // Everything of this user: the session and any copy moved aside as corrupt.
      const { dir, hash } = locate(userId);
      const names = await readdir(dir).catch(() => [] as string[]);
      await Promise.all(names.filter((n) => n.startsWith(`${hash}.json`)).map((n) => rm(join(dir, n), { force: true })));
    },
    async *list() {
      for await (const file of files()) {
        try {
          const data = await open(file).adapter.read();
          if (data?.session) yield data.session;
        } catch {
          // A corrupt file: its owner's next message moves it aside.
        }
      }
    },
    async sweep(before) {
      let removed = 0;
      for await (const file of files()) {
        const info = await stat(file).catch(() => undefined);
        if (info && info.mtime < before) {
          await rm(file, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}
