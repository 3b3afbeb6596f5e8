import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Set by scripts/build.mjs to a hash of the source; absent when run from src/ (tsx, tests). */
declare const ZHUIHUI_BUILD_ID: string | undefined;
const BUILD = typeof ZHUIHUI_BUILD_ID === 'string' ? ZHUIHUI_BUILD_ID : undefined;

/**
 * Parsing and validating the flow (YAML, schema, reference and reachability checks) was ~60 %
 * of the compiled chat's start-up. Its result depends only on the flow's text and on this
 * build's code, so a compiled build keeps it in `dist/flow-cache/<hash of both>.json`: beside
 * the code, as trusted as the code, and wiped by the next build. A changed flow is a new key.
 * Reading or writing the cache never fails a start: a miss, a torn or unwritable file just
 * means parsing as before. From src/ (development, tests) there is no cache at all.
 */
export async function cached<T>(text: string, parse: () => Promise<T>): Promise<T> {
  if (!BUILD) return parse();
  const file = join(import.meta.dirname, 'flow-cache', `${key(text)}.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    // Not cached yet (or unreadable): parse, then keep it for the next start.
  }
  const value = await parse();
  await store(file, JSON.stringify(value)).catch(() => undefined);
  return value;
}

function key(text: string): string {
  return createHash('sha256').update(`${BUILD}\0${text}`).digest('hex').slice(0, 32);
}

/** Whole or not at all: a temp file renamed into place, so a reader never sees half. */
async function store(file: string, json: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, json);
  await rename(temp, file);
}
