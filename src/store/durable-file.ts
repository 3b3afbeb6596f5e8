import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter } from 'lowdb';

/**
 * A lowdb adapter for one small JSON file, written atomically: a temp file beside it (mode
 * 0600: the data is about people's money), then rename, so a reader or a crash sees the old
 * file or the new one, never half of one. With `fsync`, the data and the directory entry are
 * flushed before the write resolves, which also survives power loss, at the cost of a disk
 * flush per message. Without it (the default) a killed process still loses nothing written;
 * only an OS crash can drop the last writes.
 */
export class DurableJSONFile<T> implements Adapter<T> {
  constructor(
    private readonly path: string,
    private readonly fsync: boolean,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return JSON.parse(text) as T;
  }

  async write(data: T): Promise<void> {
    const temp = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(JSON.stringify(data));
      if (this.fsync) await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    if (this.fsync) await syncDirectory(dirname(this.path));
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
