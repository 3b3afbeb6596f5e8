import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatCommand } from '../src/commands/chat.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { storedSession, sessionFiles, spawnMain } from './helpers.js';
import { createSessionFileStore } from '../src/store/session-files.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-console-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The console exactly as `npm start` runs it, in a child process with piped stdin. */
function spawned(lines: string[], args: string[] = [], env: Record<string, string> = {}) {
  return spawnMain(
    ['chat', ...args],
    { DATA_DIR: dataDir, ...env },
    lines.map((l) => `${l}\n`).join(''),
  );
}

/**
 * The same command in this process (its code is what `npm start` runs after parsing): piped
 * lines in, everything printed out. The process boundary is tested by `spawned` above.
 */
async function run(lines: string[], args: string[] = []) {
  const config = loadConfig(['chat', ...args], { DATA_DIR: dataDir });
  if (config.command !== 'chat') throw new Error('not a chat');
  const output = new PassThrough();
  let stdout = '';
  output.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await chatCommand(config, {
    input: Readable.from(lines.map((l) => `${l}\n`)),
    output,
    interactive: false,
    log: silentLogger,
  });
  return { code, stdout, stderr: '' };
}

describe('console chat (piped stdin)', () => {
  it('chats through the triage in Chinese and exits 0 at end of input (a real process)', async () => {
    const r = await spawned(['你好', '不是', '３', '没有', '没有', '']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('「追回」助手');
    expect(r.stdout).toContain('1. 我扫了对方的赞赏码');
    expect(r.stdout).toContain('24 小时');
  });

  it('chats in English with --lang en, whatever the first message', async () => {
    const r = await run(
      [
        '1',
        'no',
        'I scanned their reward code',
        'no',
        'no',
        'scammed',
        'just one',
        '3 days ago',
        '¥800',
        'skip',
      ],
      ['--lang', 'en'],
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Your action plan, most urgent first');
    expect(r.stdout).toContain('96110');
    expect(r.stdout).toContain('CN¥800');
  });

  it('continues where the conversation stopped after a restart', async () => {
    const first = await run(['hello', 'no', '1', 'no', 'no'], ['--user', 'alice']);
    expect(first.stdout).toContain('What happened?');
    const second = await run(['wrong person'], ['--user', 'alice']);
    expect(second.stdout).toContain("Welcome back. Let's continue where we stopped.");
    expect(second.stdout).toContain('On which day did you pay?');
    // Another user starts afresh.
    const other = await run(['hi'], ['--user', 'bob']);
    expect(other.stdout).not.toContain('Welcome back');
  });

  it('stores nothing readable by others, and forget deletes the file', async () => {
    await run(['你好', '不是'], ['--user', 'carol']);
    expect(await sessionFiles(dataDir)).toHaveLength(1);
    const r = await run(['删除我的数据', '是'], ['--user', 'carol']);
    expect(r.stdout).toContain('已删除');
    expect(await sessionFiles(dataDir)).toHaveLength(0);
  });

  it('a broken flow stops start-up with file:line:column and exit 2, no stack trace', async () => {
    const flow = join(dataDir, 'broken.yaml');
    await writeFile(flow, 'id: broken\nstart: nowhere\nsteps:\n  a: { type: end }\n');
    const r = await spawned(['hi'], [], { FLOW_FILE: flow });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml:2:8: unknown step "nowhere"/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('a bad option gets a clear message and exit 2', async () => {
    const r = await spawned([], ['--lang', 'fr']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lang "fr" is not supported; use one of: zh-CN, en');
  });

  it("terminal users are keyed apart: --user wechat:<id> never opens a WeChat user's conversation", async () => {
    const store = await createSessionFileStore(dataDir, silentLogger);
    await store.write(
      'wechat:abc',
      {
        v: 1,
        userId: 'wechat:abc',
        lang: 'zh-CN',
        flowId: 'reward-code-recovery',
        flowHash: 'h',
        stepId: 'ask-date',
        facts: { amount: 500 },
        history: [],
        failures: 0,
        createdAt: '2026-11-28T00:00:00.000Z',
        updatedAt: '2026-11-28T00:00:00.000Z',
      },
      undefined,
    );
    await store.close();
    const r = await run(['你好'], ['--user', 'wechat:abc']);
    expect(r.stdout).not.toContain('欢迎回来');
    const after = await createSessionFileStore(dataDir, silentLogger);
    expect((await storedSession(after, 'wechat:abc'))?.stepId).toBe('ask-date');
    expect(await storedSession(after, 'console:wechat:abc')).toBeDefined();
    await after.close();
  });
});
