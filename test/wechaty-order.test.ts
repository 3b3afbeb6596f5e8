import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Wechaty } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import type { WechatyAssistant } from '../src/adapters/wechaty/plugin.js';
import type { Runtime } from '../src/runtime.js';
import { assistantBot, loginOnMock } from './assistant-bot.js';
import { storedSession } from './helpers.js';

const USERS = Number(process.env.ORDER_USERS ?? 400);
const SCRIPT = ['你好', '不是', '1', '没有', '没有', '2', '昨天', '150', '跳过'];

/**
 * wechat4u, the default puppet, stamps messages in whole seconds (CreateTime): every message a
 * user sends within one second ties (red-team M14). ORDER_SECONDS=1 floors the mock's stamps
 * the same way, so the puppet's own order has to break the ties.
 */
const SECONDS = process.env.ORDER_SECONDS === '1';
class SecondsPuppet extends PuppetMock {
  override async messageRawPayload(id: string) {
    const payload = await super.messageRawPayload(id);
    return { ...payload, timestamp: Math.floor(payload.timestamp / 1000) * 1000 };
  }
}

let dataDir: string;
let bot: Wechaty;
let runtime: Runtime;
let assistant: WechatyAssistant;
let mocker: mock.Mocker;
let botUser: mock.ContactMock;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-order-'));
  mocker = new mock.Mocker();
  ({ bot, runtime, assistant } = await assistantBot(
    dataDir,
    new (SECONDS ? SecondsPuppet : PuppetMock)({ mocker }),
    {
      send: { minIntervalMs: 0, jitterMs: 0, maxPerMinute: 1_000_000, retries: 0 },
    },
  ));
  botUser = await loginOnMock(bot, mocker);
});

afterAll(async () => {
  await assistant.close();
  await bot.stop();
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('per-user order under load (red-team M7)', () => {
  it(`${USERS} users × ${SCRIPT.length} messages, interleaved${SECONDS ? ', stamps in whole seconds' : ''}: each user's messages handled in the order sent`, async () => {
    const users = Array.from({ length: USERS }, (_, i) =>
      mocker.createContact({ id: `order-${i}`, name: `User ${i}` }),
    );
    // Interleaved as they would arrive: everyone's first message, then everyone's second…
    for (const text of SCRIPT) for (const user of users) user.say(text).to(botUser);
    const deadline = Date.now() + 100_000;
    const pending = new Set(users.map((u) => u.id));
    while (pending.size > 0 && Date.now() < deadline) {
      for (const id of [...pending]) {
        const session = await storedSession(runtime.store, `wechat:${id}`);
        if ((session?.turns ?? 0) >= SCRIPT.length) pending.delete(id);
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(pending.size).toBe(0);
    // Only the order sent reaches this step with these facts (any other order re-asks or
    // stores something else).
    const wrong: string[] = [];
    for (const user of users) {
      const s = await storedSession(runtime.store, `wechat:${user.id}`);
      if (s?.stepId !== 'ask-can-reach' || s.facts.amount !== 150 || s.lang !== 'zh-CN')
        wrong.push(`${user.id}: ${s?.stepId} ${JSON.stringify(s?.facts)}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});
