import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { QUEUE_MAX_ITEMS, QUEUE_TTL_MS, type HandoffBus } from '../core/handoff-bus.js';
import { createKeyedQueue } from '../shared/keyed-queue.js';
import { tryLockFile } from './dir-lock.js';

/** How long a compare-and-set waits for a field another process holds before giving up. */
const LOCK_WAIT_MS = 10_000;

/** A taken item still aside after this long was left by a taker that died: removed. */
const STRANDED_MS = 10 * 60_000;

/** This process's writers of each field file, in turn. */
const fieldQueue = createKeyedQueue();

const safe = (name: string) => encodeURIComponent(name).replace(/\./g, '%2E');
const unsafe = (file: string) => decodeURIComponent(file);
const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Written whole or not at all: a reader never sees half a value. */
async function replace(path: string, value: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, value, { mode: 0o600 });
  await rename(tmp, path);
}

/**
 * The handoff's shared fields and queues as files under `dir` (DATA_DIR/handoff): one file
 * per field, so changing one case never rewrites another; a field's compare-and-set runs
 * under its own lock file (created exclusively, retried while another holder has it, taken
 * over from a process that is gone);
 * a queue item is a file, taken by renaming it away (only one taker's rename succeeds).
 */
export function createFileHandoffBus(dir: string): HandoffBus {
  const fieldDir = (name: string) => join(dir, 'fields', safe(name));
  const queueDir = (name: string) => join(dir, 'queues', safe(name));
  const read = (path: string) =>
    readFile(path, 'utf8').catch((error: unknown) => {
      if (missing(error)) return undefined;
      throw error;
    });

  /**
   * Runs `work` holding the field's lock file, taken over only from a process that is gone
   * (`dir-lock.ts`, red-team m26: a lock judged stale by its age alone let two writers in — a
   * takeover racing another, or a holder slower than the age — and lost an update; review
   * finding 8). A live holder is waited for, up to LOCK_WAIT_MS.
   */
  const locked = <T>(path: string, work: () => Promise<T>): Promise<T> =>
    // One holder at a time within this process (any bus on the directory) without touching
    // the disk: only other processes contend for the file.
    fieldQueue.run(resolve(path), () => lockedFile(path, work));

  async function lockedFile<T>(path: string, work: () => Promise<T>): Promise<T> {
    const lock = `${path}.lock`;
    const until = Date.now() + LOCK_WAIT_MS;
    for (let attempt = 0; Date.now() < until; attempt++) {
      let got: Awaited<ReturnType<typeof tryLockFile>>;
      try {
        got = await tryLockFile(lock);
      } catch (error) {
        if (!missing(error)) throw error;
        await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
        continue;
      }
      if (typeof got !== 'function') {
        // A random wait, so that writers racing for one field spread out.
        await sleep(Math.random() * Math.min(20, 1 + attempt));
        continue;
      }
      try {
        return await work();
      } finally {
        await got();
      }
    }
    throw new Error(`the handoff file ${path} stayed locked`);
  }

  return {
    fields: (name) => {
      const path = (field: string) => join(fieldDir(name), safe(field));
      return {
        get: (field) => read(path(field)),
        set: (field, value) => locked(path(field), () => replace(path(field), value)),
        update: (field, f) =>
          locked(path(field), async () => {
            const next = f(await read(path(field)));
            if (next === undefined) await rm(path(field), { force: true });
            else await replace(path(field), next);
            return next;
          }),
        delete: (field) => locked(path(field), () => rm(path(field), { force: true })),
        all: async () => {
          const files = await readdir(fieldDir(name)).catch((error: unknown) => {
            if (missing(error)) return [];
            throw error;
          });
          const out = new Map<string, string>();
          for (const file of files) {
            // A field's file name has no dot (safe() encodes it): the rest are its lock, the
            // lock's drafts and takeover guards, and values being written.
            if (file.includes('.')) continue;
            const value = await read(join(fieldDir(name), file));
            if (value !== undefined) out.set(unsafe(file), value);
          }
          return out;
        },
      };
    },
    queue: (name) => {
      const at = queueDir(name);
      const list = () =>
        readdir(at).catch((error: unknown) => {
          if (missing(error)) return [];
          throw error;
        });
      /** Pushed at: the file's name starts with the time. */
      const age = (file: string, now: number) => now - Number(file.slice(0, 15));
      const drop = (file: string) => rm(join(at, file), { force: true });
      return {
        push: async (item) => {
          await mkdir(at, { recursive: true, mode: 0o700 });
          // Named by time, so items are taken in the order they were pushed.
          const stamp = String(Date.now()).padStart(15, '0');
          const file = `${stamp}-${process.hrtime.bigint()}-${randomBytes(3).toString('hex')}.item`;
          const tmp = join(at, `${file}.tmp`);
          await writeFile(tmp, item, { mode: 0o600 });
          await rename(tmp, join(at, file));
          // Trimmed here, as Redis's LTRIM does: a queue nobody takes (a desk that is not
          // run) keeps no more than the newest QUEUE_MAX_ITEMS, none past QUEUE_TTL_MS.
          const items = (await list()).filter((f) => f.endsWith('.item')).sort();
          const now = Date.now();
          await Promise.all(
            items
              .filter((f, i) => i < items.length - QUEUE_MAX_ITEMS || age(f, now) > QUEUE_TTL_MS)
              .map(drop),
          );
        },
        take: async () => {
          const files = await list();
          const now = Date.now();
          // A taker that died (or failed to read) between its rename and its unlink left its
          // item aside, where nothing would read or forget it (review finding 12); so does a
          // pusher that died before its rename.
          await Promise.all(
            files.filter((f) => /\.(taken|tmp)$/.test(f) && age(f, now) > STRANDED_MS).map(drop),
          );
          const items = files.filter((f) => f.endsWith('.item')).sort();
          const out: string[] = [];
          for (const [index, file] of items.entries()) {
            const from = join(at, file);
            const mine = `${from}.${process.pid}.${randomBytes(3).toString('hex')}.taken`;
            try {
              await rename(from, mine);
            } catch (error) {
              if (missing(error)) continue; // another process took it
              throw error;
            }
            const value = await read(mine);
            await rm(mine, { force: true });
            // Purged (forget) between the rename and the read: gone, as it should be.
            if (value === undefined) continue;
            // The same bounds as on push: the newest QUEUE_MAX_ITEMS, none older than the TTL.
            if (age(file, now) <= QUEUE_TTL_MS && index >= items.length - QUEUE_MAX_ITEMS)
              out.push(value);
          }
          return out;
        },
        purge: async (match) => {
          // Items being taken (`.taken`) too: a purge racing a take removes them either way.
          for (const file of await list()) {
            if (!file.endsWith('.item') && !file.endsWith('.taken')) continue;
            const value = await read(join(at, file));
            if (value !== undefined && match(value)) await drop(file);
          }
        },
      };
    },
    close: async () => undefined,
  };
}
