import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Wechaty } from 'wechaty';
import type { ContactInterface } from 'wechaty/impls';
import { afterEach, describe, expect, it } from 'vitest';
import { actOn, eventNotice, publish } from '../src/adapters/handoff/desk.js';
import type { HandoffEvent } from '../src/core/handoff.js';
import { createOpenCases } from '../src/adapters/handoff/open-cases.js';
import { createHandoffRoom } from '../src/adapters/wechaty/handoff-room.js';
import { createSendQueue } from '../src/adapters/wechaty/send-queue.js';
import { silentLogger } from '../src/log.js';
import { createRuntime } from '../src/runtime.js';
import { FLOW_FILE, LOCALES_DIR } from './helpers.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/**
 * A runtime on files in a temp dir, an operator room on a fake bot, and Alice in a case the
 * room holds (she asked for a person and said yes).
 */
async function roomWithCase() {
  const dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-room-'));
  const runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir,
    log: silentLogger,
    flood: false,
    handoff: { waitMinutes: 10, silenceHours: 72 },
  });
  cleanup.push(async () => {
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const posted: string[] = [];
  const fakeRoom = { id: 'room', say: async (text: string) => void posted.push(text) };
  const bot = { Room: { find: async () => fakeRoom } } as unknown as Wechaty;
  const alice = { id: 'wxid_alice', say: async () => undefined } as unknown as ContactInterface;
  const room = createHandoffRoom({
    roomId: 'room',
    service: runtime.service,
    translators: runtime.translators,
    cases: createOpenCases(runtime.handoffBus),
    bus: runtime.handoffBus,
    queue: createSendQueue(
      { minIntervalMs: 0, jitterMs: 0, maxPerMinute: 1000, retries: 0 },
      silentLogger,
    ),
    log: silentLogger,
    logContent: false,
    bot: () => bot,
    clock: () => new Date(),
  });
  const user = 'wechat:alice';
  let events: HandoffEvent[] = [];
  for (const text of ['你好', '人工', '是'])
    events =
      (await runtime.service.handle({ userId: user, text, channel: 'wechat' })).handoff ?? [];
  await room.relay(user, alice, events);
  return { runtime, room, user, alice, posted };
}

describe('the operator room’s contacts', () => {
  it('forgets the contact of a case ended in another process (the console’s /done)', async () => {
    const { runtime, room, user, posted } = await roomWithCase();
    expect(room.held()).toBe(1);
    // The console (another process) ends the case and tells the room through the queue.
    const [open] = await createOpenCases(runtime.handoffBus).all();
    const done = await runtime.service.operate(user, { type: 'done', operator: '小李' }, open?.ref);
    expect(typeof done).toBe('object');
    for (const event of typeof done === 'object' ? (done.handoff ?? []) : [])
      await publish(runtime.handoffBus, eventNotice('wechat', user, event), 'console');
    await room.poll();
    expect(posted.join('\n')).toContain('已交回机器人');
    expect(room.held()).toBe(0);
  });

  it('an erasing turn takes the user’s words queued by the console out of deliver:wechat', async () => {
    const { runtime, room, user, alice } = await roomWithCase();
    // The console (no wechat sender) speaks and hands back: both wait in deliver:wechat.
    const cases = createOpenCases(runtime.handoffBus);
    const [open] = await cases.all();
    const desk = {
      service: runtime.service,
      bus: runtime.handoffBus,
      cases,
      log: silentLogger,
      clock: () => new Date(),
      senders: {},
    };
    await actOn(desk, open!, { type: 'say', operator: '小李', text: '你的卡号尾号 4321 对吗' });
    await actOn(desk, open!, { type: 'done', operator: '小李' });
    await runtime.service.handle({ userId: user, text: '删除我的数据', channel: 'wechat' });
    const turned = await runtime.service.handle({ userId: user, text: '是', channel: 'wechat' });
    expect(turned.erased).toBe(true);
    await room.forget(user, alice);
    const left = await runtime.handoffBus.queue('deliver:wechat').take();
    expect(left.join('\n')).not.toContain('4321');
    expect(left.join('\n')).not.toContain(user);
  });
});
