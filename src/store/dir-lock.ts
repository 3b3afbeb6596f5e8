import { rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExpectedError } from '../shared/errors.js';

export const LOCK_FILE = 'zhuihui.lock';

/** Locks this process holds, so that a lock naming our own pid can be told from a leftover. */
const held = new Set<string>();

/**
 * One process owns a data directory: two would each trust their own in-memory index and
 * overwrite each other's users (red-team m2). The lock is a file holding the owner's pid,
 * created exclusively. A lock whose process is gone (kill -9, a crash) is taken over, and so is
 * one naming our own pid that we do not hold (a container restarted as pid 1 again). Returns
 * the release. A store meant for several processes (Redis) takes no such lock.
 */
export async function acquireDirLock(dataDir: string): Promise<() => Promise<void>> {
  const path = resolve(join(dataDir, LOCK_FILE));
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      if (held.has(path)) throw Object.assign(new Error('held'), { code: 'EEXIST' });
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return hold(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    const ours = owner === process.pid;
    if (held.has(path) || (!ours && Number.isInteger(owner) && owner > 0 && alive(owner))) {
      throw new ExpectedError(
        `zhuihui: the data directory ${dataDir} is in use by process ${owner} (lock file ${path}). ` +
          'Stop that process, or give this one its own DATA_DIR. ' +
          'If no zhuihui process uses it, delete the lock file.',
      );
    }
    // Its owner is gone: take it over (of two takers, the one that re-creates first wins).
    await rm(path, { force: true });
  }
  throw new ExpectedError(`zhuihui: could not take the lock ${path}; try again.`);
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
