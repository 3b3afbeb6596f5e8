import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBox } from 'file-box';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toBubbles } from '../src/core/replies.js';
import { types, WechatyBuilder, type Wechaty } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import type { AssistantDeps, WechatyAssistant } from '../src/adapters/wechaty/plugin.js';
import type { SendQueueOptions } from '../src/adapters/wechaty/send-queue.js';
import { silentLogger, type Logger } from '../src/log.js';
import type { Runtime } from '../src/runtime.js';
import { assistantBot, loginOnMock } from './assistant-bot.js';
import { SCAM_WALK_ZH, storedSession } from './helpers.js';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-wechaty-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  await rm(dataDir, { recursive: true, force: true });
});

interface Harness {
  mocker: mock.Mocker;
  puppet: PuppetMock;
  bot: Wechaty;
  botUser: mock.ContactMock;
  assistant: WechatyAssistant;
  runtime: Runtime;
  /** Resolves once the bot has said, to this conversation, text that satisfies the check. */
  until(conversationId: string, check: (all: string) => boolean): Promise<string>;
  said(conversationId: string): string[];
  stop(): Promise<void>;
}
const running: Harness[] = [];

/** A real Wechaty runtime on the mock puppet, with the plugin installed and the bot logged in. */
async function start(
  send: Partial<SendQueueOptions> = {
    minIntervalMs: 0,
    jitterMs: 0,
    maxPerMinute: 10_000,
    retries: 1,
  },
  autoAcceptFriends = false,
  keepRemarks = false,
  remarkTimeoutMs?: number,
  extra: Pick<AssistantDeps, 'clock'> & { log?: Logger } = {},
): Promise<Harness> {
  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  if (keepRemarks) {
    // The mock puppet forgets a remark (alias) as soon as it is set; WeChat keeps it, across
    // logins too. This makes the mock keep it in the contact's payload.
    const payloads = mocker.cacheContactPayload as Map<string, { alias?: string }>;
    Object.assign(puppet, {
      contactAlias: async (id: string, alias?: string | null) => {
        const payload = payloads.get(id);
        if (alias === undefined) return payload?.alias;
        if (payload) payloads.set(id, { ...payload, alias: alias ?? '' });
        return undefined;
      },
    });
  }
  const { bot, runtime, assistant } = await assistantBot(dataDir, puppet, {
    send,
    autoAcceptFriends,
    // Short, so the many exchanges here stay quick; the default is tested under load.
    reorderMs: 20,
    ...(remarkTimeoutMs === undefined ? {} : { remarkTimeoutMs }),
    ...extra,
  });
  const sent = new Map<string, string[]>();
  const waiters = new Set<() => void>();
  // The bot's own replies come back through the runtime as `message` events with self() true.
  bot.on('message', (msg) => {
    if (!msg.self()) return;
    const id = msg.room()?.id ?? msg.listener()?.id ?? '';
    sent.set(id, [...(sent.get(id) ?? []), msg.text()]);
    for (const w of [...waiters]) w();
  });
  const botUser = await loginOnMock(bot, mocker);
  const harness: Harness = {
    mocker,
    puppet,
    bot,
    botUser,
    assistant,
    runtime,
    said: (id) => sent.get(id) ?? [],
    until: (id, check) =>
      new Promise((resolve) => {
        const test = () => {
          const all = (sent.get(id) ?? []).join('\n');
          if (!check(all)) return;
          waiters.delete(test);
          resolve(all);
        };
        waiters.add(test);
        test();
      }),
    async stop() {
      await assistant.close();
      await bot.stop();
      // As the process would on exit: the data directory's lock is released.
      await runtime.close();
    },
  };
  running.push(harness);
  return harness;
}

/** Says `text` and waits for a reply containing `marker`. */
async function exchange(
  h: Harness,
  user: mock.ContactMock,
  text: string,
  marker: string,
): Promise<string> {
  const before = h.said(user.id).length;
  user.say(text).to(h.botUser);
  const all = await h.until(user.id, () =>
    h.said(user.id).slice(before).join('\n').includes(marker),
  );
  void all;
  return h.said(user.id).slice(before).join('\n');
}

describe('wechaty plugin on the mock puppet', () => {
  it('carries one user through a whole conversation to a plan', async () => {
    const h = await start();
    const alice = h.mocker.createContact({ name: 'Alice' });
    expect(await exchange(h, alice, '你好', '现在有没有人要你再付钱')).toContain('「追回」助手');
    await exchange(h, alice, '不是', '这笔钱是怎么付出去的');
    await exchange(h, alice, '微信转账，对方已经收款', '有没有人主动联系你');
    await exchange(h, alice, '没有', '付这笔钱之前');
    await exchange(h, alice, '没有', '发生了什么');
    await exchange(h, alice, '转错人了', '是哪一天付的款');
    await exchange(h, alice, '昨天', '这笔付款是多少钱');
    await exchange(h, alice, '五百块', '收款方名字或昵称');
    await exchange(h, alice, '跳过', '还能私下联系到收款人吗');
    const plan = await exchange(h, alice, '是', '你的行动清单');
    expect(plan).toContain('不当得利');
    expect(plan).toContain('95017');
    // Long plans arrive as several messages, none over 600 characters.
    expect(h.said(alice.id).every((m) => m.length <= 600)).toBe(true);
  });

  it('keeps two users in two languages apart while they interleave', async () => {
    const h = await start();
    const alice = h.mocker.createContact({ name: 'Alice' });
    const bob = h.mocker.createContact({ name: 'Bob' });
    alice.say('你好').to(h.botUser);
    bob.say('hello').to(h.botUser);
    alice.say('不是').to(h.botUser);
    bob.say('no').to(h.botUser);
    await h.until(alice.id, (all) => all.includes('这笔钱是怎么付出去的'));
    await h.until(bob.id, (all) => all.includes('How did the money go?'));
    await h.assistant.settled();
    expect(h.said(alice.id).join('\n')).not.toMatch(/[A-Za-z]{6,} [a-z]+ [a-z]+/);
    // English texts name WeChat's own Chinese labels in brackets or quotes ("喜欢作者"); nothing else.
    const english = h
      .said(bob.id)
      .join('\n')
      .replace(/\([^)]*\)|"[^"]*"/g, '');
    expect(english).not.toMatch(/[\u4e00-\u9fff]{4,}/);
    expect((await storedSession(h.runtime.store, `wechat:${alice.id}`))?.stepId).toBe(
      'payment-kind',
    );
    expect((await storedSession(h.runtime.store, `wechat:${bob.id}`))?.lang).toBe('en');
  });

  it('in a group, answers only an @mention, and only with a pointer to private chat', async () => {
    const h = await start();
    const alice = h.mocker.createContact({ name: 'Alice' });
    const room = h.mocker.createRoom({ topic: 'friends', memberIdList: [alice.id, h.botUser.id] });
    alice.say('我转错了五百块').to(room);
    alice.say('@zhuihui 我转错了五百块', [h.botUser]).to(room);
    const reply = await h.until(room.id, (all) => all.length > 0);
    await h.assistant.settled();
    expect(reply).toContain('请私聊我');
    expect(h.said(room.id)).toHaveLength(1);
    expect(await storedSession(h.runtime.store, `wechat:${alice.id}`)).toBeUndefined();
  });

  it('answers a picture by asking for words, and does not start a conversation', async () => {
    const h = await start();
    const alice = h.mocker.createContact({ name: 'Alice' });
    alice.say(FileBox.fromBase64(PNG, 'bill.png')).to(h.botUser);
    const reply = await h.until(alice.id, (all) => all.length > 0);
    expect(reply).toContain('我只能读文字');
    expect(await storedSession(h.runtime.store, `wechat:${alice.id}`)).toBeUndefined();
  });

  it('ignores the backlog delivered after login', async () => {
    const h = await start();
    const alice = h.mocker.createContact({ name: 'Alice' });
    const old = h.mocker.MessageMock.create({
      id: 'backlog-1',
      talkerId: alice.id,
      listenerId: h.botUser.id,
      timestamp: Date.now() - 3_600_000,
      type: types.Message.Text,
      text: 'I paid the wrong person',
    });
    h.mocker.puppet.emit('message', { messageId: old.id });
    // Had the backlog been read, this would be the second message, not the greeting.
    await exchange(h, alice, '你好', '「追回」助手');
    await h.assistant.settled();
    expect(h.said(alice.id).filter((m) => m.includes('「追回」助手'))).toHaveLength(1);
    expect(h.said(alice.id).join('\n')).not.toContain("I'm the zhuihui");
  });

  it('answers the first message after login on a host clock 2 minutes ahead of WeChat, and counts the backlog (red-team m36)', async () => {
    const lines: Array<{ fields: unknown; msg: string | undefined }> = [];
    const log = {
      ...silentLogger,
      info: (fields: unknown, msg?: string) => void lines.push({ fields, msg }),
    } as unknown as Logger;
    const h = await start(undefined, false, false, undefined, {
      clock: () => new Date(Date.now() + 120_000),
      log,
    });
    const alice = h.mocker.createContact({ name: 'Alice' });
    const old = h.mocker.MessageMock.create({
      id: 'backlog-skew',
      talkerId: alice.id,
      listenerId: h.botUser.id,
      timestamp: Date.now() - 3_600_000,
      type: types.Message.Text,
      text: 'I paid the wrong person',
    });
    h.mocker.puppet.emit('message', { messageId: old.id });
    // Stamped by WeChat's clock, 2 minutes behind the host's: it was dropped as backlog.
    const reply = await exchange(h, alice, 'hello', 'is anyone asking you right now');
    expect(reply).toContain("I'm the zhuihui");
    await h.assistant.settled();
    expect(h.said(alice.id).filter((m) => m.includes("I'm the zhuihui"))).toHaveLength(1);
    const counted = lines.filter((l) => l.msg === 'backlog from before login: not answered');
    expect(counted.map((l) => l.fields)).toEqual([{ count: 1 }]);
    expect(JSON.stringify(lines)).not.toContain('wrong person');
    // After the burst that follows login, a message is live whatever its stamp.
    const late = h.mocker.MessageMock.create({
      id: 'late-stamp',
      talkerId: alice.id,
      listenerId: h.botUser.id,
      timestamp: Date.now() - 3_600_000,
      type: types.Message.Text,
      text: 'no',
    });
    const before = h.said(alice.id).length;
    h.mocker.puppet.emit('message', { messageId: late.id });
    await h.until(alice.id, () =>
      h.said(alice.id).slice(before).join('\n').includes('How did the money go?'),
    );
  });

  it('continues a conversation after the bot is stopped and started again', async () => {
    const first = await start();
    const alice = first.mocker.createContact({ id: 'alice-1', name: 'Alice' });
    await exchange(first, alice, 'hello', 'is anyone asking you right now');
    await exchange(first, alice, 'no', 'How did the money go?');
    await first.stop();
    const second = await start();
    const again = second.mocker.createContact({ id: 'alice-1', name: 'Alice' });
    const reply = await exchange(second, again, 'reward code', 'offering a refund');
    expect(reply).not.toContain("I'm the zhuihui");
  });

  it('keeps each user across a re-login that gives every contact a new id (keyed by WeChat handle)', async () => {
    const first = await start();
    const alice = first.mocker.createContact({
      id: 'login1-alice',
      name: 'Alice',
      handle: 'alice_wx',
    });
    await exchange(first, alice, 'hello', 'is anyone asking you right now');
    await exchange(first, alice, 'no', 'How did the money go?');
    await first.stop();
    const second = await start();
    const again = second.mocker.createContact({
      id: 'login2-alice',
      name: 'Alice',
      handle: 'alice_wx',
    });
    const reply = await exchange(second, again, 'reward code', 'offering a refund');
    expect(reply).not.toContain("I'm the zhuihui");
    expect(await storedSession(second.runtime.store, 'wechat:login2-alice')).toBeUndefined();
  });

  it('keeps a user without a WeChat handle across a re-login by a remark of ours', async () => {
    const first = await start(undefined, false, true);
    const carol = first.mocker.createContact({ id: 'login1-carol', name: 'Carol' });
    await exchange(first, carol, 'hello', 'is anyone asking you right now');
    await exchange(first, carol, 'no', 'How did the money go?');
    // Two more messages at once from a new contact: one remark, one conversation.
    const dave = first.mocker.createContact({ id: 'login1-dave', name: 'Dave' });
    dave.say('hello').to(first.botUser);
    dave.say('no').to(first.botUser);
    // Both handled, under one key: wait until the session holds both messages.
    let daveRemark: string | undefined;
    let daveTurns: number | undefined;
    for (let i = 0; i < 100 && daveTurns !== 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      daveRemark = (first.mocker.cacheContactPayload.get('login1-dave') as { alias?: string })
        .alias;
      daveTurns = (await storedSession(first.runtime.store, `wechat:a:${daveRemark ?? ''}`))?.turns;
    }
    expect(daveRemark).toMatch(/^zh-[0-9a-f]{12}$/);
    expect(daveTurns).toBe(2);
    const remark = (first.mocker.cacheContactPayload.get('login1-carol') as { alias?: string })
      .alias;
    expect(remark).toMatch(/^zh-[0-9a-f]{12}$/);
    await first.stop();
    // WeChat keeps the remark; the web protocol gives the contact a new id.
    const second = await start(undefined, false, true);
    const again = second.mocker.createContact({ id: 'login2-carol', name: 'Carol', alias: remark });
    const reply = await exchange(second, again, 'reward code', 'offering a refund');
    expect(reply).not.toContain("I'm the zhuihui");
    expect((await storedSession(second.runtime.store, `wechat:a:${remark}`))?.stepId).toBe(
      'screen-offer',
    );
  });

  it('keeps the conversation of a user who changed their WeChat handle (red-team m34)', async () => {
    const first = await start(undefined, false, true);
    const erin = first.mocker.createContact({ id: 'login1-erin', name: 'Erin', handle: 'erin_wx' });
    await exchange(first, erin, 'hello', 'is anyone asking you right now');
    await exchange(first, erin, 'no', 'How did the money go?');
    const remark = (first.mocker.cacheContactPayload.get('login1-erin') as { alias?: string })
      .alias;
    expect(remark).toMatch(/^zh-[0-9a-f]{12}$/);
    await first.stop();
    // WeChat allows a new handle; the remark stays, and the web protocol gives a new id.
    const second = await start(undefined, false, true);
    const again = second.mocker.createContact({
      id: 'login2-erin',
      name: 'Erin',
      handle: 'erin_new',
      alias: remark,
    });
    const reply = await exchange(second, again, 'reward code', 'offering a refund');
    expect(reply).not.toContain("I'm the zhuihui");
    expect((await storedSession(second.runtime.store, `wechat:a:${remark}`))?.stepId).toBe(
      'screen-offer',
    );
  });

  it('moves a conversation stored under the handle to the remark', async () => {
    const h = await start(undefined, false, true);
    await h.runtime.service.handle({ userId: 'wechat:h:frank_wx', text: 'hello' });
    await h.runtime.service.handle({ userId: 'wechat:h:frank_wx', text: 'no' });
    const frank = h.mocker.createContact({ id: 'frank', name: 'Frank', handle: 'frank_wx' });
    const reply = await exchange(h, frank, 'reward code', 'offering a refund');
    expect(reply).not.toContain("I'm the zhuihui");
    const remark = (h.mocker.cacheContactPayload.get('frank') as { alias?: string }).alias;
    expect((await storedSession(h.runtime.store, `wechat:a:${remark}`))?.stepId).toBe(
      'screen-offer',
    );
    expect(await storedSession(h.runtime.store, 'wechat:h:frank_wx')).toBeUndefined();
  });

  it('does not trust a remark of ours copied onto a second contact (red-team m33)', async () => {
    const h = await start(undefined, false, true);
    const carol = h.mocker.createContact({ id: 'carol', name: 'Carol' });
    await exchange(h, carol, 'hello', 'is anyone asking you right now');
    await exchange(h, carol, 'no', 'How did the money go?');
    const remark = (h.mocker.cacheContactPayload.get('carol') as { alias?: string }).alias;
    expect(remark).toMatch(/^zh-[0-9a-f]{12}$/);
    // An operator copies Carol's remark onto another contact.
    const mallory = h.mocker.createContact({ id: 'mallory', name: 'Mallory', alias: remark });
    const reply = await exchange(h, mallory, 'hello', 'is anyone asking you right now');
    expect(reply).toContain("I'm the zhuihui");
    const own = (h.mocker.cacheContactPayload.get('mallory') as { alias?: string }).alias;
    expect(own).toMatch(/^zh-[0-9a-f]{12}$/);
    expect(own).not.toBe(remark);
    // Carol's conversation is where she left it, and still hers.
    expect((await storedSession(h.runtime.store, `wechat:a:${remark}`))?.stepId).toBe(
      'payment-kind',
    );
    const next = await exchange(h, carol, 'reward code', 'offering a refund');
    expect(next).not.toContain("I'm the zhuihui");
  });

  it('answers a contact whose remark call hangs, under its id, and others meanwhile (red-team m35)', async () => {
    const h = await start(undefined, false, false, 300);
    const setAlias = h.puppet.contactAlias.bind(h.puppet);
    Object.assign(h.puppet, {
      contactAlias: (id: string, alias?: string | null) =>
        id === 'stuck' && alias !== undefined
          ? new Promise(() => undefined)
          : setAlias(id, alias as string),
    });
    const stuck = h.mocker.createContact({ id: 'stuck', name: 'Stuck' });
    const other = h.mocker.createContact({ id: 'other', name: 'Other' });
    stuck.say('hello').to(h.botUser);
    const elsewhere = await exchange(h, other, 'hello', 'is anyone asking you right now');
    expect(elsewhere).toContain("I'm the zhuihui");
    await h.until('stuck', (all) => all.includes('is anyone asking you right now'));
    expect(await storedSession(h.runtime.store, 'wechat:stuck')).toBeDefined();
  });

  it('moves a conversation stored under the old per-login id to the stable key', async () => {
    const first = await start();
    // Stored as before this change: under the contact id.
    await first.runtime.service.handle({ userId: 'wechat:old-bob', text: 'hello' });
    await first.runtime.service.handle({ userId: 'wechat:old-bob', text: 'no' });
    const bob = first.mocker.createContact({ id: 'old-bob', name: 'Bob', handle: 'bob_wx' });
    const reply = await exchange(first, bob, 'reward code', 'offering a refund');
    expect(reply).not.toContain("I'm the zhuihui");
    expect(await storedSession(first.runtime.store, 'wechat:old-bob')).toBeUndefined();
    expect((await storedSession(first.runtime.store, 'wechat:h:bob_wx'))?.stepId).toBe(
      'screen-offer',
    );
  });

  it('shutdown stops taking messages and still sends everything queued', async () => {
    const h = await start({ minIntervalMs: 40, jitterMs: 0, maxPerMinute: 10_000, retries: 0 });
    const carol = h.mocker.createContact({ name: 'Carol' });
    // Up to the scam plan, whose turn is several bubbles (the texts to copy apart).
    const walk = SCAM_WALK_ZH.slice(0, -1);
    let session = undefined as Parameters<typeof h.runtime.engine.handle>[0];
    const now = new Date();
    for (const text of walk) {
      const n = h.said(carol.id).length;
      carol.say(text).to(h.botUser);
      await h.until(carol.id, () => h.said(carol.id).length > n);
      await h.assistant.settled();
      session = h.runtime.engine.handle(session, { userId: 'x', text }, now).session ?? undefined;
    }
    const expected = toBubbles(
      h.runtime.engine.handle(session, { userId: 'x', text: '小李客服' }, now).replies,
    ).length;
    expect(expected).toBeGreaterThan(2);
    const before = h.said(carol.id).length;
    const since = () => h.said(carol.id).length - before;
    carol.say('小李客服').to(h.botUser);
    // The first reply is out and the rest are still queued when shutdown begins.
    await h.until(carol.id, () => since() > 0);
    expect(since()).toBeLessThan(expected);
    await h.assistant.close();
    expect(h.assistant.queue.pending).toBe(0);
    await h.until(carol.id, () => since() === expected);
    // After shutdown began, a new message is not taken.
    const delivered = new Promise<void>((resolve) =>
      h.bot.on('message', (m) => {
        if (!m.self() && m.text() === '不是') resolve();
      }),
    );
    carol.say('不是').to(h.botUser);
    await delivered;
    await h.assistant.settled();
    expect((await storedSession(h.runtime.store, `wechat:${carol.id}`))?.stepId).toBe('end-scam');
  });
});

describe('friend requests', () => {
  /** The mock puppet has no friendship payloads of its own: give it one request. */
  function request(h: Harness, from: mock.ContactMock): { accepted: string[] } {
    const accepted: string[] = [];
    h.puppet.friendshipRawPayload = async (id: string) => ({
      id,
      contactId: from.id,
      hello: '你好，想咨询一下',
      type: types.Friendship.Receive,
      timestamp: Date.now(),
    });
    h.puppet.friendshipAccept = async (id: string) => void accepted.push(id);
    h.puppet.emit('friendship', { friendshipId: 'request-1' });
    return { accepted };
  }

  it('with AUTO_ACCEPT_FRIENDS on, accepts and greets in the language of the request', async () => {
    const h = await start(undefined, true);
    const erin = h.mocker.createContact({ name: 'Erin' });
    const { accepted } = request(h, erin);
    const greeting = await h.until(erin.id, (all) => all.length > 0);
    expect(greeting).toContain('「追回」助手');
    expect(accepted).toEqual(['request-1']);
  });

  it('by default leaves requests alone', async () => {
    const h = await start();
    const frank = h.mocker.createContact({ name: 'Frank' });
    const delivered = new Promise<void>((resolve) => h.bot.once('friendship', () => resolve()));
    const { accepted } = request(h, frank);
    await delivered;
    await h.assistant.settled();
    expect(accepted).toEqual([]);
    expect(h.said(frank.id)).toEqual([]);
  });
});

describe('package entry', () => {
  it('wechatyAssistant({ dataDir }) is a Wechaty plugin an existing bot can use', async () => {
    const { wechatyAssistant } = await import('../src/index.js');
    const mocker = new mock.Mocker();
    const bot = WechatyBuilder.build({
      puppet: new PuppetMock({ mocker }),
      name: join(dataDir, 'host'),
    });
    const assistant = wechatyAssistant({
      dataDir,
      log: silentLogger,
      send: { minIntervalMs: 0, jitterMs: 0 },
    });
    bot.use(assistant);
    const replies: string[] = [];
    const greeted = new Promise<void>((resolve) =>
      bot.on('message', (m) => {
        if (!m.self()) return;
        replies.push(m.text());
        if (m.text().includes('「追回」助手')) resolve();
      }),
    );
    await bot.start();
    const me = mocker.createContact({ name: 'host' });
    const loggedIn = new Promise<void>((resolve) => bot.once('login', () => resolve()));
    mocker.login(me);
    await loggedIn;
    mocker.createContact({ name: 'Dan' }).say('你好').to(me);
    await greeted;
    expect(replies[0]).toContain('「追回」助手');
    // The host shuts down: queued replies are sent, the data directory is released.
    await assistant.close();
    await bot.stop();
    await expect(stat(join(dataDir, 'zhuihui.lock'))).rejects.toThrow(/ENOENT/);
  });
});
