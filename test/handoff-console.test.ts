import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatCommand } from '../src/commands/chat.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { spawnMain } from './helpers.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-operator-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** `npm start -- …args` in this process on the test's data dir, with piped lines. */
async function run(args: string[], lines: string[]) {
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
  expect(code).toBe(0);
  return stdout;
}

describe('npm start -- --operator (piped input), with a console user on the same data dir', () => {
  it('lists the waiting case, takes it, talks to the console user and hands back', async () => {
    const asked = await run(['--handoff'], ['我要人工客服', '是']);
    const ref = /案件编号 #([0-9a-f]{4})/.exec(asked)?.[1] ?? '';
    expect(ref).not.toBe('');

    const op = await run(
      ['--operator', '--user', '小李'],
      ['/list', `#${ref} /take`, `#${ref} 你好，我是志愿者小李。`],
    );
    expect(op).toContain(`#${ref} 等待接手`);
    expect(op).toContain(`#${ref} 新求助`);
    expect(op).toContain(`#${ref} 已由 小李 接手。`);
    expect(op).toContain(`#${ref} 已交给能联系到用户的进程`);

    // The user's terminal shows the operator's words (waiting in their queue since).
    const user = await run(['--handoff'], ['谢谢']);
    expect(user).toContain('志愿者已经接手你的情况');
    expect(user).toContain('志愿者：你好，我是志愿者小李。');

    const done = await run(['--operator'], [`#${ref} /done`, '/list']);
    expect(done).toContain(`#${ref} 用户： 谢谢`);
    expect(done).toContain(`#${ref} 已交回机器人。`);
    expect(done).toContain('现在没有进行中的案件。');
    expect(await run(['--handoff'], [])).toContain('回到机器人');
  });

  it('says so when there is no case, a reference is unknown or a line is no command (a real process)', async () => {
    const r = await spawnMain(
      ['chat', '--operator', '--lang', 'en'],
      { DATA_DIR: dataDir },
      ['/list', '#abcd /take', '#abcd hello', 'take it', '#xyz hi', ''].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No open cases.');
    expect(r.stdout.match(/#abcd is not an open case/g)).toHaveLength(2);
    expect(r.stdout.match(/Not an operator command/g)).toHaveLength(2);
  });

  it('--help documents the operator console, and a wrong mix of options is one clear line', async () => {
    const help = await spawnMain(['chat', '--help'], { DATA_DIR: dataDir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--operator');
    expect(help.stdout).toContain('#a1b2 /take');
    expect(help.stdout).toContain('48 hours');
    const wrong = await spawnMain(['chat', '--operator', '--at', 'payment-kind'], {
      DATA_DIR: dataDir,
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--operator works on the open cases');
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('configuration of the Official Account handoff', () => {
  const base = { WECHAT_OA_TOKEN: 'token123', DATA_DIR: '/tmp/x' };
  it('WECHAT_OA_HANDOFF=1 needs the app id and secret, and then offers a person', () => {
    expect(() => loadConfig(['serve'], { ...base, WECHAT_OA_HANDOFF: '1' })).toThrow(ConfigError);
    const config = loadConfig(['serve'], {
      ...base,
      WECHAT_OA_HANDOFF: '1',
      WECHAT_OA_APPID: 'wx1',
      WECHAT_OA_APPSECRET: 's',
      HANDOFF_WAIT_MINUTES: '5',
    });
    expect(config.command === 'serve' && config.oa?.handoff).toBe(true);
    expect(config.command === 'serve' && config.handoff).toEqual({
      waitMinutes: 5,
      silenceHours: 12,
    });
    const off = loadConfig(['serve'], base);
    expect(off.command === 'serve' && off.handoff).toBeUndefined();
  });

  it('--operator takes the OA API from the environment when it is there', () => {
    const config = loadConfig(['chat', '--operator'], {
      DATA_DIR: '/tmp/x',
      WECHAT_OA_APPID: 'wx1',
      WECHAT_OA_APPSECRET: 's',
    });
    expect(config.command === 'chat' && config.oaApi).toMatchObject({ appId: 'wx1' });
    expect(config.command === 'chat' && config.handoff).toBeDefined();
    const plain = loadConfig(['chat'], { DATA_DIR: '/tmp/x' });
    expect(plain.command === 'chat' && plain.handoff).toBeUndefined();
  });
});

describe('a console user coming back while a person holds the case', () => {
  it('hears where the case stands, not the bot’s question', async () => {
    const asked = await run(['--handoff'], ['我要人工客服', '是']);
    const ref = /案件编号 #([0-9a-f]{4})/.exec(asked)?.[1] ?? '';
    const back = await run(['--handoff'], []);
    expect(back).toContain(`你的情况已经转给志愿者（#${ref}）`);
    expect(back).not.toContain('现在有没有人要你再付钱');
  });
});
