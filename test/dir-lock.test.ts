import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../src/store/dir-lock.js';

/** A lock-taking process (test/fixtures/lock-taker.ts) and its lines, read one at a time. */
function taker(dir: string) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/lock-taker.ts', dir],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffer = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const line = () =>
    new Promise<string>((resolve) => {
      const first = lines.shift();
      if (first !== undefined) resolve(first);
      else waiting.push(resolve);
    });
  return {
    pid: child.pid ?? 0,
    line,
    send: (text: string) => void child.stdin.write(`${text}\n`),
    end: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** The pid of a process that has exited: what a lock left by kill -9 names. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

let dir: string;
let a: ReturnType<typeof taker>;
let b: ReturnType<typeof taker>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhuihui-lock-'));
  [a, b] = [taker(dir), taker(dir)];
  expect([await a.line(), await b.line()]).toEqual(['ready', 'ready']);
}, 30_000);
afterAll(async () => {
  await Promise.all([a.end(), b.end()]);
  await rm(dir, { recursive: true, force: true });
});

describe('the DATA_DIR lock (red-team m26)', () => {
  it('two processes taking over a stale lock at the same moment: exactly one gets it, 60 rounds', async () => {
    const dead = await deadPid();
    // What a dead owner leaves: its pid, or a file torn before its pid was written.
    const leftovers = [`${dead}\n`, '', 'garbage'];
    const winners: string[] = [];
    for (let round = 0; round < 60; round++) {
      await writeFile(join(dir, LOCK_FILE), leftovers[round % leftovers.length] ?? '');
      a.send('go');
      b.send('go');
      const [ra, rb] = [await a.line(), await b.line()];
      expect([ra, rb].sort(), `round ${round}`).toEqual(['refused named', 'took']);
      const winner = ra === 'took' ? a : b;
      winners.push(ra === 'took' ? 'a' : 'b');
      expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(winner.pid));
      winner.send('release');
      expect(await winner.line()).toBe('released');
    }
    // Nothing left behind: no guard, no draft, no lock.
    expect(await readdir(dir)).toEqual([]);
    // Both can win: the race is real, not one process always first.
    expect(new Set(winners).size).toBe(2);
  }, 60_000);

  it('a guard left by a taker that died mid-takeover is taken over too', async () => {
    const dead = await deadPid();
    await writeFile(join(dir, LOCK_FILE), `${dead}\n`);
    await writeFile(join(dir, `${LOCK_FILE}.takeover-${dead}`), `${await deadPid()}\n`);
    a.send('go');
    expect(await a.line()).toBe('took');
    a.send('release');
    expect(await a.line()).toBe('released');
    expect(await readdir(dir)).toEqual([]);
  }, 30_000);
});
