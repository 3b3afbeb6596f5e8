import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBox } from 'file-box';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WechatyBuilder, type Wechaty } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { createWechatyAssistant, type WechatyAssistant } from '../src/adapters/wechaty/plugin.js';
import { DEFAULT_HANDOFF_POLICY } from '../src/core/handoff.js';
import { silentLogger } from '../src/log.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { FLOW_FILE, LOCALES_DIR, storedSession } from './helpers.js';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

let dataDir: string;
let stops: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-handoff-'));
});
afterEach(async () => {
  await Promise.all(stops.map((stop) => stop()));
  stops = [];
  await rm(dataDir, { recursive: true, force: true });
});

interface Harness {
  mocker: mock.Mocker;
  bot: Wechaty;
  botUser: mock.ContactMock;
  room: mock.RoomMock;
  operator: mock.ContactMock;
  assistant: WechatyAssistant;
  runtime: Runtime;
  /** Moves the conversation service's clock on (the timeouts read it). */
  advance(minutes: number): void;
  said(id: string): string[];
  /** Resolves once what the bot said to `id` since `from` contains `marker`. */
  until(id: string, marker: string, from?: number): Promise<string>;
}

/**
 * A real Wechaty on the mock puppet with an operator room (the volunteer and the bot are its
 * members), the plugin installed with HANDOFF_ROOM set to it, on a clock the test moves.
 */
async function start(): Promise<Harness> {
  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  const botUser = mocker.createContact({ name: 'zhuihui' });
  const operator = mocker.createContact({ name: '小李' });
  const room = mocker.createRoom({
    topic: 'volunteers',
    memberIdList: [operator.id, botUser.id],
  });
  let now = Date.now();
  const runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir,
    log: silentLogger,
    flood: { messages: 30, windowMs: 10_000 },
    clock: () => new Date(now),
    handoff: DEFAULT_HANDOFF_POLICY,
  });
  const assistant = createWechatyAssistant({
    runtime,
    log: silentLogger,
    send: { minIntervalMs: 0, jitterMs: 0, maxPerMinute: 10_000, retries: 1 },
    reorderMs: 20,
    handoffRoom: room.id,
  });
  const bot = WechatyBuilder.build({ puppet, name: join(dataDir, 'bot') });
  bot.use(assistant.install);
  const sent = new Map<string, string[]>();
  const waiters = new Set<() => void>();
  bot.on('message', (msg) => {
    if (!msg.self()) return;
    const id = msg.room()?.id ?? msg.listener()?.id ?? '';
    sent.set(id, [...(sent.get(id) ?? []), msg.text()]);
    for (const w of [...waiters]) w();
  });
  await bot.start();
  const loggedIn = new Promise<void>((resolve) => bot.once('login', () => resolve()));
  mocker.login(botUser);
  await loggedIn;
  stops.push(async () => {
    await assistant.close();
    await bot.stop();
    await runtime.close();
  });
  const said = (id: string) => sent.get(id) ?? [];
  return {
    mocker,
    bot,
    botUser,
    room,
    operator,
    assistant,
    runtime,
    advance: (minutes) => {
      now += minutes * 60_000;
    },
    said,
    until: (id, marker, from = 0) =>
      new Promise((resolve) => {
        const check = () => {
          const all = said(id).slice(from).join('\n');
          if (!all.includes(marker)) return;
          waiters.delete(check);
          resolve(all);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** The user says `text`; resolves with what the bot said to them after it, once `marker` shows. */
async function userSays(h: Harness, user: mock.ContactMock, text: string, marker: string) {
  const from = h.said(user.id).length;
  user.say(text).to(h.botUser);
  return h.until(user.id, marker, from);
}

/** The operator says `text` in the room; resolves once the room (or `watch`) shows `marker`. */
async function operatorSays(h: Harness, text: string, marker: string, watch = h.room.id) {
  const from = h.said(watch).length;
  h.operator.say(text).to(h.room);
  return h.until(watch, marker, from);
}

/** Alice asks for a person and agrees; resolves with the case reference. */
async function handOver(h: Harness, alice: mock.ContactMock): Promise<string> {
  await userSays(h, alice, '你好', '现在有没有人要你再付钱');
  await userSays(h, alice, '不是', '这笔钱是怎么付出去的');
  await userSays(h, alice, '我要人工客服', '同意把这份摘要转给志愿者吗');
  await h.assistant.settled();
  // Nothing reaches the room before the user says yes.
  expect(h.said(h.room.id)).toEqual([]);
  const waiting = await userSays(h, alice, '是', '案件编号');
  const ref = /#([0-9a-f]{4})/.exec(waiting)?.[1] ?? '';
  const posted = await h.until(h.room.id, `#${ref} 新求助`);
  expect(posted).toContain('现在有人要你再付钱、扫码或提供验证码：否');
  return ref;
}

describe('handoff to a volunteer on the personal account (wechaty-puppet-mock)', () => {
  it('a user asks, consents, a volunteer takes the case, talks, and hands back with /done', async () => {
    const h = await start();
    const alice = h.mocker.createContact({ name: 'Alice' });
    const ref = await handOver(h, alice);

    // While waiting, the user's words go to the room and the bot says nothing.
    const before = h.said(alice.id).length;
    alice.say('对方一直不回我消息').to(h.botUser);
    await h.until(h.room.id, `#${ref} 用户： 对方一直不回我消息`);
    // A picture is not answered by the bot either: the room hears of it.
    alice.say(FileBox.fromBase64(PNG, 'bill.png')).to(h.botUser);
    await h.until(h.room.id, `#${ref} 用户发来一张图片`);
    await operatorSays(h, `#${ref} /take`, `#${ref} 已由 小李 接手`);
    await h.until(alice.id, '志愿者已经接手', before);
    await operatorSays(h, `#${ref} 你好，我看了你的情况，先别着急`, '志愿者：你好', alice.id);
    alice.say('好的，谢谢').to(h.botUser);
    await h.until(h.room.id, `#${ref} 用户： 好的，谢谢`);
    await h.assistant.settled();
    // The bot itself said nothing to her but the volunteer's words.
    expect(h.said(alice.id).slice(before)).toEqual([
      '志愿者已经接手你的情况，接下来由志愿者回复你。',
      '志愿者：你好，我看了你的情况，先别着急',
    ]);
    expect(await operatorSays(h, '/list', '进行中的案件')).toContain(`#${ref} 小李 处理中`);

    await operatorSays(h, `#${ref} /done`, `#${ref} 已交回机器人`);
    await h.until(alice.id, '志愿者已结束这次对话', before);
    await userSays(h, alice, '微信转账，对方已经收款', '有没有人主动联系你');
    expect(await operatorSays(h, '/list', '现在没有进行中的案件')).toBeTruthy();
    expect((await storedSession(h.runtime.store, `wechat:${alice.id}`))?.handoff).toBeUndefined();
  });

  it('only members of the operator room operate; commands elsewhere are a user’s words', async () => {
    const h = await start();
    const alice = h.mocker.createContact({ name: 'Alice' });
    const mallory = h.mocker.createContact({ name: 'Mallory' });
    const ref = await handOver(h, alice);
    // Mallory is not in the room: her "/take" there is not read.
    mallory.say(`#${ref} /take`).to(h.room);
    // In a private chat, it is her own first message to the bot (no Chinese in it: English).
    await userSays(h, mallory, `#${ref} /done`, 'is anyone asking you right now');
    // The operator's command in a private chat is not a command either.
    const privately = h.said(h.operator.id).length;
    h.operator.say(`#${ref} /done`).to(h.botUser);
    await h.until(h.operator.id, 'is anyone asking you right now', privately);
    await h.assistant.settled();
    expect((await storedSession(h.runtime.store, `wechat:${alice.id}`))?.handoff).toMatchObject({
      state: 'waiting',
      ref,
    });
    expect(h.said(h.room.id).join('\n')).not.toContain('接手。');
  });

  it('a request nobody takes returns to the bot with 12348 after the wait', async () => {
    const h = await start();
    const alice = h.mocker.createContact({ name: 'Alice' });
    const ref = await handOver(h, alice);
    const before = h.said(alice.id).length;
    h.advance(9);
    await h.assistant.expireHandoffs();
    await h.assistant.settled();
    expect(h.said(alice.id).length).toBe(before);
    h.advance(2);
    await h.assistant.expireHandoffs();
    const told = await h.until(alice.id, '这笔钱是怎么付出去的', before);
    expect(told).toContain('12348');
    expect(told).toContain('目前记录的情况');
    await h.until(h.room.id, `#${ref} 无人接手`);
    expect((await storedSession(h.runtime.store, `wechat:${alice.id}`))?.handoff).toBeUndefined();
    // The volunteer who comes late is told the case is closed.
    await operatorSays(h, `#${ref} /take`, `#${ref} 不是进行中的案件`);
  });

  it('a user who says no shares nothing', async () => {
    const h = await start();
    const alice = h.mocker.createContact({ name: 'Alice' });
    await userSays(h, alice, '你好', '现在有没有人要你再付钱');
    await userSays(h, alice, '人工', '同意把这份摘要转给志愿者吗');
    await userSays(h, alice, '不用了', '没有转给任何人');
    await h.assistant.settled();
    expect(h.said(h.room.id)).toEqual([]);
  });
});
