import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Session } from '../core/session.js';
import type { Logger } from '../log.js';
import type { SessionStore } from './port.js';

interface SessionFile {
  session: Session | null;
}

/**
 * One lowdb file per user under `<dataDir>/sessions/`. lowdb rewrites a whole file on each
 * write, so one shared file would grow slower with every user and one corrupt file would
 * take everyone's conversation with it; per-user files avoid both. File names are hashes
 * of the user id, so the directory listing reveals no WeChat ids.
 *
 * Callers must not touch one user concurrently (the conversation service serialises per
 * user); lowdb breaks if two writers share a file.
 */
export async function createLowdbStore(dataDir: string, log: Logger): Promise<SessionStore> {
  const dir = join(dataDir, 'sessions');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode does not apply to a directory that already existed.
  await chmod(dataDir, 0o700);
  await chmod(dir, 0o700);

  const fileOf = (userId: string) =>
    join(dir, `${createHash('sha256').update(userId).digest('hex').slice(0, 32)}.json`);
  const open = (userId: string) => new Low<SessionFile>(new JSONFile(fileOf(userId)), { session: null });

  return {
    async get(userId) {
      const db = open(userId);
      try {
        await db.read();
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        const aside = `${fileOf(userId)}.corrupt-${Date.now()}`;
        await rename(fileOf(userId), aside);
        log.warn({ file: aside }, 'session file was unreadable; moved aside and starting a new conversation');
        return undefined;
      }
      return db.data.session ?? undefined;
    },
    async set(session) {
      const db = open(session.userId);
      db.data = { session };
      await db.write();
    },
    async delete(userId) {
      await rm(fileOf(userId), { force: true });
    },
    async *list() {
      for (const file of await readdir(dir)) {
        if (!file.endsWith('.json')) continue;
        try {
          const data = JSON.parse(await readFile(join(dir, file), 'utf8')) as SessionFile;
          if (data.session) yield data.session;
        } catch {
          // A file being replaced or a corrupt one: its owner's next message moves it aside.
        }
      }
    },
  };
}
