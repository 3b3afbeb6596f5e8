import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExpectedError } from '../shared/errors.js';

export const LOCK_FILE = 'zhuihui.lock';

/** Locks this process holds, so that a lock naming our own pid can be told from a leftover. */
const held = new Set<string>();

/** Guards of guards: each level needs a crash inside a takeover, so a few is plenty. */
const MAX_DEPTH = 4;

/**
 * One process owns a data directory: two would each trust their own in-memory index and
 * overwrite each other's users (red-team m2). The lock is a file holding the owner's pid,
 * created exclusively. A lock whose process is gone (kill -9, a crash) is taken over, and so is
 * one naming our own pid that we do not hold (a container restarted as pid 1 again). Returns
 * the release. A store meant for several processes (Redis) takes no such lock.
 *
 * Taking over is atomic (red-team m26: read pid → rm → create let two processes starting
 * together both "win", the second `rm` deleting the first one's fresh lock): only the process
 * that creates the guard file `zhuihui.lock.takeover-<dead pid>` may remove a lock naming that
 * pid, and it checks, once it holds the guard, that the lock still names it. A guard left by a
 * taker that died is itself taken over the same way (one level deeper).
 */
export async function acquireDirLock(dataDir: string): Promise<() => Promise<void>> {
  const path = resolve(join(dataDir, LOCK_FILE));
  if (held.has(path)) throw inUse(dataDir, path, process.pid);
  for (let attempt = 0; attempt < 50; attempt++) {
    const got = await claim(path, 0);
    if (got === true) return hold(path);
    if (typeof got === 'number') throw inUse(dataDir, path, got);
    // Another process is taking a stale lock over right now: see what it leaves.
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
  }
  throw new ExpectedError(`zhuihui: could not take the lock ${path}; try again.`);
}

/**
 * This process's mark in the locks `tryLockFile` takes: a lock naming our pid with it is one
 * of ours being held or released right now (waited for); one naming our pid without it is a
 * leftover of an earlier process that had the same pid (taken over).
 */
const INCARNATION = randomBytes(6).toString('hex');

/**
 * One try at the lock file `path`, taken over the way a data directory's is (a lock whose
 * process is gone, or a leftover naming our pid, through a guard file): the release once this
 * process holds it; else the live process that does (our own pid while another holder in this
 * process has it), or 'busy' (another process is taking a stale one over: try again shortly).
 * For locks held briefly and often, by many holders of one process in turn (the handoff's
 * fields, `handoff-files.ts`).
 */
export async function tryLockFile(path: string): Promise<(() => Promise<void>) | number | 'busy'> {
  const got = await claim(path, 0, INCARNATION);
  if (got !== true) return got;
  // Nobody takes over a live process's lock: it is still ours to remove.
  return () => rm(path, { force: true });
}

const lockContent = (mark: string) => `${process.pid}\n${mark ? `${mark}\n` : ''}`;

/**
 * true: this process now holds `path`; a number: the live process that does; 'busy': another
 * process is taking a stale one over (try again shortly). `mark`: see INCARNATION ('' for the
 * data directory's lock, which holds the pid alone).
 */
async function claim(path: string, depth: number, mark = ''): Promise<true | number | 'busy'> {
  if (await create(path, mark)) return true;
  const content = await readFile(path, 'utf8').catch(() => undefined);
  // Gone between the create and the read: its owner released it.
  if (content === undefined) return 'busy';
  const owner = Number.parseInt(content, 10);
  const ours =
    owner === process.pid && !held.has(path) && !(mark && content.split('\n')[1] === mark);
  if (!ours && Number.isInteger(owner) && owner > 0 && alive(owner)) return owner;
  if (depth >= MAX_DEPTH)
    throw new ExpectedError(`zhuihui: could not take over the stale lock ${path}; delete it.`);
  const guard = `${path}.takeover-${Number.isInteger(owner) && owner > 0 ? owner : 'none'}`;
  const guarded = await claim(guard, depth + 1, mark);
  if (guarded !== true) return 'busy';
  try {
    // Only a guard holder removes a lock with this content: if it is still there, it is the
    // stale one; if it changed, another taker finished first.
    if ((await readFile(path, 'utf8').catch(() => undefined)) !== content) return 'busy';
    await rm(path, { force: true });
    return (await create(path, mark)) ? true : 'busy';
  } finally {
    await rm(guard, { force: true });
  }
}

/**
 * Creates `path` holding this pid (and `mark`), or false if it exists. Written aside and
 * linked into place, so that a lock is never seen empty (an empty lock read half-written
 * looked stale).
 */
async function create(path: string, mark: string): Promise<boolean> {
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, lockContent(mark), { flag: 'wx', mode: 0o600 });
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    await rm(draft, { force: true });
  }
}

function inUse(dataDir: string, path: string, owner: number): ExpectedError {
  return new ExpectedError(
    `zhuihui: the data directory ${dataDir} is in use by process ${owner} (lock file ${path}). ` +
      'Stop that process, or give this one its own DATA_DIR. ' +
      'If no zhuihui process uses it, delete the lock file.',
  );
}

function hold(path: string): () => Promise<void> {
  held.add(path);
  // Released on a normal exit too, so the next start finds no lock at all.
  const onExit = () => rmSync(path, { force: true });
  process.once('exit', onExit);
  return async () => {
    if (!held.delete(path)) return;
    process.off('exit', onExit);
    await rm(path, { force: true });
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means "in use".
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
