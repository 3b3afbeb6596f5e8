import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Wechaty } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { PuppetServer, PuppetService } from 'wechaty-puppet-service';
import type { WechatyAssistant } from '../src/adapters/wechaty/plugin.js';
import type { Runtime } from '../src/runtime.js';
import { assistantBot } from './assistant-bot.js';
import { storedSession } from './helpers.js';

/** A free loopback port. */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let dataDir: string;
let server: PuppetServer;
let bot: Wechaty;
let runtime: Runtime;
let assistant: WechatyAssistant;
let mocker: mock.Mocker;
let botUser: mock.ContactMock;
const said: string[] = [];

/**
 * WECHATY_PUPPET=wechaty-puppet-service, end to end: a local puppet-service server (gRPC on
 * loopback, an `insecure_` token, so no TLS) around the mock puppet, and the bot with the
 * plugin talking to it as it would to a paid puppet provider.
 */
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-service-'));
  mocker = new mock.Mocker();
  const endpoint = `127.0.0.1:${await freePort()}`;
  const token = 'insecure_zhuihui-test';
  server = new PuppetServer({ endpoint, token, puppet: new PuppetMock({ mocker }) });
  await server.start();
  ({ bot, runtime, assistant } = await assistantBot(
    dataDir,
    new PuppetService({ endpoint, token }),
    {
      send: { minIntervalMs: 0, jitterMs: 0, maxPerMinute: 10_000, retries: 1 },
      reorderMs: 20,
    },
  ));
  bot.on('message', (m) => {
    if (m.self()) said.push(m.text());
  });
  await bot.start();
  botUser = mocker.createContact({ name: 'zhuihui' });
  const loggedIn = new Promise<void>((resolve) => bot.once('login', () => resolve()));
  mocker.login(botUser);
  await loggedIn;
}, 60_000);

afterAll(async () => {
  await assistant.close(5_000);
  await bot.stop();
  await server.stop();
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

describe('through wechaty-puppet-service', () => {
  it('a user is answered and the conversation is stored, as with a paid puppet service', async () => {
    const alice = mocker.createContact({ name: 'Alice' });
    alice.say('你好').to(botUser);
    await until(() => said.some((t) => t.includes('「追回」助手')));
    expect(said.join('\n')).toContain('「追回」助手');
    alice.say('不是').to(botUser);
    await until(() => said.some((t) => t.includes('这笔钱是怎么付出去的')));
    expect(said.join('\n')).toContain('这笔钱是怎么付出去的');
    await assistant.settled();
    expect((await storedSession(runtime.store, `wechat:${alice.id}`))?.stepId).toBe('payment-kind');
  }, 30_000);
});
