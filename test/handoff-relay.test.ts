import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { chatCommand } from '../src/commands/chat.js';
import { loadConfig } from '../src/config.js';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WechatyBuilder } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { createOaApi } from '../src/adapters/oa/api.js';
import { createOaHandoff } from '../src/adapters/oa/handoff.js';
import { createOaHandler, listen } from '../src/adapters/oa/server.js';
import { createWechatyAssistant } from '../src/adapters/wechaty/plugin.js';
import { silentLogger } from '../src/log.js';
import { createRuntime } from '../src/runtime.js';
import { FLOW_FILE, LOCALES_DIR, ROOT } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';
import { fakeApi, fakeWeChat, type FakeApi } from './wechat-fake.js';

const TOKEN = 'zhuihuiToken1';
const APPID = 'wx1234567890abcdef';
const SECRET = 'appsecret-test';
const ALICE = 'o-alice';

let redis: TestRedis;
let dir: string;
let api: FakeApi;
const stops: Array<() => Promise<void>> = [];
beforeAll(async () => {
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'zhuihui-relay-'));
  api = await fakeApi(APPID, SECRET);
}, 20_000);
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await api.close();
  await redis.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Resolves once `said()` contains `marker`, checking every 50 ms (the room polls every second). */
async function until(said: () => string, marker: string, ms = 8_000): Promise<string> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (said().includes(marker)) return said();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`"${marker}" never came; got:\n${said()}`);
}

describe('an OA user answered from the operator room of the bot: two runtimes on one Redis', () => {
  it('the room sees the OA case, its words go out through the OA sender, and a refusal comes back', async () => {
    let now = Date.now();
    const clock = () => new Date(now);
    const options = {
      flowFile: FLOW_FILE,
      localesDir: LOCALES_DIR,
      dataDir: dir,
      storeUrl: redis.url,
      log: silentLogger,
      flood: false as const,
      clock,
      handoff: { waitMinutes: 10, silenceHours: 72 },
    };
    // The webhook's process.
    const oaRuntime = await createRuntime(options);
    const handoff = createOaHandoff({
      bus: oaRuntime.handoffBus,
      service: oaRuntime.service,
      api: createOaApi({
        base: api.base,
        appId: APPID,
        appSecret: SECRET,
        log: silentLogger,
        attempts: 1,
      }),
      log: silentLogger,
      clock,
      mode: 'passive',
    });
    const stopSender = handoff.start();
    const server: Server = await listen(
      createOaHandler({
        service: handoff.service,
        translators: oaRuntime.translators,
        shared: oaRuntime.shared,
        settings: {
          token: TOKEN,
          appId: APPID,
          encodingAesKey: undefined,
          mode: 'passive',
          path: '/wechat/oa',
        },
        log: silentLogger,
      }),
      0,
      '127.0.0.1',
    );
    stops.push(async () => {
      stopSender();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await oaRuntime.close();
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const wechat = fakeWeChat({
      url: `http://127.0.0.1:${port}/wechat/oa`,
      token: TOKEN,
      appId: APPID,
    });

    // The bot's process, with the operator room.
    const botRuntime = await createRuntime(options);
    const mocker = new mock.Mocker();
    const botUser = mocker.createContact({ name: 'zhuihui' });
    const operator = mocker.createContact({ name: '小李' });
    const room = mocker.createRoom({
      topic: 'volunteers',
      memberIdList: [operator.id, botUser.id],
    });
    const assistant = createWechatyAssistant({
      runtime: botRuntime,
      log: silentLogger,
      send: { minIntervalMs: 0, jitterMs: 0, maxPerMinute: 10_000, retries: 1 },
      reorderMs: 20,
      handoffRoom: room.id,
      handoffCheckMs: 3_600_000,
    });
    const bot = WechatyBuilder.build({
      puppet: new PuppetMock({ mocker }),
      name: join(dir, 'bot'),
    });
    bot.use(assistant.install);
    const inRoom: string[] = [];
    bot.on('message', (msg) => {
      if (msg.self() && msg.room()?.id === room.id) inRoom.push(msg.text());
    });
    await bot.start();
    const loggedIn = new Promise<void>((resolve) => bot.once('login', () => resolve()));
    mocker.login(botUser);
    await loggedIn;
    stops.push(async () => {
      await assistant.close();
      await bot.stop();
      await botRuntime.close();
    });
    const roomSaid = () => inRoom.join('\n');

    await wechat.text(ALICE, '我要人工客服');
    const ref = /#([0-9a-f]{4})/.exec((await wechat.text(ALICE, '是')).content ?? '')?.[1] ?? '';
    expect(ref).not.toBe('');
    await until(roomSaid, `#${ref} 新求助`);

    operator.say(`#${ref} 你好，我是志愿者小李。`).to(room);
    await until(roomSaid, `#${ref} 已由 小李 接手。`);
    await until(() => api.sent.map((s) => s.content).join('\n'), '志愿者：你好，我是志愿者小李。');
    expect(api.sent.at(-1)?.touser).toBe(ALICE);

    expect((await wechat.text(ALICE, '好的，谢谢')).content).toBeUndefined();
    await until(roomSaid, `#${ref} 用户： 好的，谢谢`);

    // Two days later nothing can be sent: the room is told why, not left guessing.
    now += 49 * 3_600_000;
    const sent = api.sent.length;
    operator.say(`#${ref} 还在吗？`).to(room);
    await until(roomSaid, `#${ref} 没有发出：微信只允许在用户最后一条消息后 48 小时内回复`);
    expect(api.sent.length).toBe(sent);

    operator.say(`#${ref} /done`).to(room);
    await until(roomSaid, `#${ref} 已交回机器人。`);
  }, 30_000);
});

describe('npm run serve with WECHAT_OA_HANDOFF=1 and npm start -- --operator, two processes on one Redis', () => {
  it('the operator console answers an OA user through the customer-service API; logs carry no words', async () => {
    const env = {
      ...process.env,
      LOG_LEVEL: 'info',
      DATA_DIR: dir,
      STORE_URL: redis.url,
      STORE_PREFIX: 'serve:',
      WECHAT_OA_TOKEN: TOKEN,
      WECHAT_OA_APPID: APPID,
      WECHAT_OA_APPSECRET: SECRET,
      WECHAT_API_BASE: api.base,
      WECHAT_OA_HANDOFF: '1',
      PORT: '0',
      HOST: '127.0.0.1',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
    child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    stops.push(async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    });
    const listening = await until(() => logs, 'webhook listening', 20_000);
    const url = /"url":"([^"]+\/wechat\/oa)"/.exec(listening)?.[1] ?? '';
    const wechat = fakeWeChat({ url, token: TOKEN, appId: APPID });
    const bob = 'o-bob-secret';
    await wechat.text(bob, '我要人工客服');
    const ref = /#([0-9a-f]{4})/.exec((await wechat.text(bob, '是')).content ?? '')?.[1] ?? '';
    expect(ref).not.toBe('');
    await wechat.text(bob, '我叫王五');

    const config = loadConfig(['chat', '--operator', '--user', '小王'], env);
    if (config.command !== 'chat') throw new Error('not a chat');
    const output = new PassThrough();
    let out = '';
    output.on('data', (d: Buffer) => (out += d.toString()));
    await chatCommand(config, {
      input: Readable.from([`#${ref} 你好，我是志愿者小王。\n`]),
      output,
      interactive: false,
      log: silentLogger,
    });
    expect(out).toContain(`#${ref} 用户： 我叫王五`);
    expect(out).toContain(`#${ref} 已发给用户。`);
    expect(api.sent.filter((s) => s.touser === bob).map((s) => s.content)).toEqual([
      '志愿者已经接手你的情况，接下来由志愿者回复你。\n\n志愿者：你好，我是志愿者小王。',
    ]);
    await until(() => logs, '"msg":"oa handoff"');
    expect(logs).not.toContain('王五');
    expect(logs).not.toContain(bob);
  }, 60_000);
});
