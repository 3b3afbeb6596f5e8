import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { createSessionFileStore } from '../src/store/session-files.js';
import { ROOT, sessionFiles } from './helpers.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-crash-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const USERS = 40;
const KILL_AFTER_ACKS = 1500;

describe('crash durability', () => {
  it('SIGKILL during heavy writing loses at most the messages in flight, and breaks no file', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/crash-server.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, CRASH_USERS: String(USERS) },
    });
    const acked = new Map<string, number>();
    let acks = 0;
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', () => resolve());
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const [, user, turns] = line.split(' ');
          if (user && turns) acked.set(user, Number(turns));
          if (++acks === KILL_AFTER_ACKS) child.kill('SIGKILL');
        }
      });
    });
    expect(acks).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    // On disk: only session versions (at most the old and the new one of a user caught
    // mid-write), and every user has at least one.
    const names = (await sessionFiles(dataDir)).map((f) => f.split('/').at(-1) ?? '');
    expect(names.every((n) => /^[0-9a-f]{32}\.\d+\.json$/.test(n))).toBe(true);
    const users = new Map<string, number>();
    for (const n of names) users.set(n.slice(0, 32), (users.get(n.slice(0, 32)) ?? 0) + 1);
    expect(users.size).toBe(USERS);
    expect([...users.values()].every((count) => count <= 2)).toBe(true);

    // Restarted: every user is exactly before or after their last message, nothing acknowledged lost.
    const store = await createSessionFileStore(dataDir, silentLogger);
    for (const [user, turns] of acked) {
      const session = (await store.read(user))?.value;
      const stored = session?.turns ?? 0;
      expect(
        stored === turns || stored === turns + 1,
        `${user}: stored ${stored}, acknowledged ${turns}`,
      ).toBe(true);
    }
    // The kill came while users were mid-conversation, so the check above was not vacuous.
    expect([...acked.values()].filter((turns) => turns > 0).length).toBeGreaterThan(USERS / 2);
    // A version torn by the kill, if any, was moved aside, and the one before it kept and used.
    const after = (await sessionFiles(dataDir)).map((f) => f.split('/').at(-1) ?? '');
    for (const torn of after.filter((n) => n.includes('.corrupt-'))) {
      const hash = torn.slice(0, 32);
      expect(
        after.some((n) => n.startsWith(hash) && !n.includes('.corrupt-')),
        `${torn}: moved aside, but no earlier version of that user was kept`,
      ).toBe(true);
    }
  });
});
