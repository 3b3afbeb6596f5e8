import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as xml from '../src/adapters/oa/xml.js';
import { loadConfig, type WecomConfig } from '../src/config.js';
import { listTranscripts, loadTranscript } from '../src/adapters/files/transcripts.js';
import { listen } from '../src/adapters/oa/server.js';
import { createWecomApi, type KfItem } from '../src/adapters/wecom/api.js';
import { createKfChannel, type KfChannel } from '../src/adapters/wecom/channel.js';
import { botHasIt, handToPerson, type KfHandoffHooks } from '../src/adapters/wecom/handoff.js';
import { createKfReceiver } from '../src/adapters/wecom/receive.js';
import { createKfSender } from '../src/adapters/wecom/send.js';
import { DEFAULT_TRANSCRIPT_NOW } from '../src/authoring/transcript.js';
import type { Logger } from '../src/log.js';
import { silentLogger } from '../src/log.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';
import { createMemoryValues } from '../src/store/shared-values.js';
import { FLOW_FILE, LOCALES_DIR, ROOT, storedSession } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';
import { fakeQyapi, kfSigner, type FakeQyapi, type KfSent } from './wecom-fake.js';

// The parser, counted: an unsigned callback body must not reach it (red-team m38).
vi.mock('../src/adapters/oa/xml.js', async (original) => {
  const actual = await original<typeof import('../src/adapters/oa/xml.js')>();
  return { ...actual, parseXml: vi.fn(actual.parseXml) };
});

const CORP = 'ww0123456789abcdef';
const SECRET = 'kf-secret-test';
const TOKEN = 'kfToken123';
const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const KFID = 'wkAAAA1111';
const MORE = { 'zh-CN': '继续', en: 'more' };
const HINT = /（还有下文：回复「继续」查看）|\(More follows: reply "more" to read it\.\)/;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Options {
  api?: FakeQyapi;
  runtime?: Runtime;
  menu?: boolean;
  hooks?: KfHandoffHooks;
  startedAt?: number;
  log?: Logger;
  /** WECOM_HANDOFF=1: users who ask for a person are handed to WeCom's servicers. */
  handoff?: boolean;
}

/** A 微信客服 channel on loopback with a fake qyapi behind it, and a customer to talk to it. */
async function kf(options: Options = {}) {
  const api = options.api ?? (await fakeQyapi(CORP, SECRET));
  if (!options.api) cleanup.push(() => api.close());
  const runtime =
    options.runtime ??
    (await createRuntime({
      flowFile: FLOW_FILE,
      localesDir: LOCALES_DIR,
      dataDir: '',
      store: createMemoryStore(),
      log: silentLogger,
      clock: () => new Date(DEFAULT_TRANSCRIPT_NOW),
      // A whole conversation is replayed in well under a second: a flood by design.
      flood: false,
      ...(options.handoff ? { handoff: { waitMinutes: 10, silenceHours: 12 } } : {}),
    }));
  const config: WecomConfig = {
    corpId: CORP,
    secret: SECRET,
    token: TOKEN,
    encodingAesKey: AES,
    apiBase: api.base,
    menu: options.menu ?? true,
    handoff: options.handoff ?? false,
    servicer: undefined,
  };
  const channel: KfChannel = createKfChannel({
    config,
    runtime,
    log: options.log ?? silentLogger,
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.startedAt !== undefined ? { startedAt: options.startedAt } : {}),
  });
  const server: Server = await listen(
    (req, res) => {
      channel.handler(req, res).catch((error: unknown) => {
        throw error;
      });
    },
    0,
    '127.0.0.1',
  );
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/wechat/kf`;
  const signer = kfSigner({ url, corpId: CORP, token: TOKEN, encodingAesKey: AES });
  let callbackToken = 0;
  const customer = {
    /** The customer types (or taps a menu item: `menuId`); resolves once every reply is sent. */
    async say(user: string, content: string, menuId?: string) {
      api.push({
        origin: 3,
        msgtype: 'text',
        open_kfid: KFID,
        external_userid: user,
        text: { content, ...(menuId ? { menu_id: menuId } : {}) },
      });
      await customer.callback();
    },
    async callback() {
      const answer = await signer.notify(KFID, `cb-token-${++callbackToken}`);
      await channel.idle();
      return answer;
    },
    /** What was sent to this user since `from` (an index into api.sent). */
    sentTo: (user: string, from = 0) => api.sent.slice(from).filter((s) => s.touser === user),
  };
  return { api, runtime, channel, signer, customer, url };
}

describe('微信客服 callback', () => {
  it('URL check: the decrypted echostr, plain, only when signed by our Token for our CorpID', async () => {
    const { signer } = await kf();
    expect(await signer.verify('echo-4711')).toEqual({ status: 200, body: 'echo-4711' });
    expect((await signer.verify('echo-4711', CORP, true)).status).toBe(401);
    expect((await signer.verify('echo-4711', 'wwSomeoneElse')).status).toBe(403);
  });

  it('a POST with a bad signature or for another CorpID is refused and pulls nothing', async () => {
    const { api, signer, url } = await kf();
    expect((await signer.notify(KFID, 't', { tamper: true })).status).toBe(401);
    expect((await signer.notify(KFID, 't', { receiveId: 'wwOther' })).status).toBe(403);
    const garbage = await fetch(url, { method: 'POST', body: 'not xml' });
    expect(garbage.status).toBe(400);
    expect(api.syncCalls).toHaveLength(0);
  });

  it('an unsigned 60 KB body, or one without Encrypt, is refused before any XML parse (m38)', async () => {
    const { url } = await kf();
    const parse = vi.mocked(xml.parseXml);
    parse.mockClear();
    const q = new URLSearchParams({
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: 'n1',
      msg_signature: '0'.repeat(40),
    });
    const junk = `<xml><ToUserName>ww</ToUserName><Encrypt><![CDATA[${'QUJD'.repeat(15_000)}]]></Encrypt></xml>`;
    const unsigned = await fetch(`${url}?${q.toString()}`, { method: 'POST', body: junk });
    expect(unsigned.status).toBe(401);
    const none = await fetch(`${url}?${q.toString()}`, {
      method: 'POST',
      body: `<xml>${'<a>b</a>'.repeat(7_000)}</xml>`,
    });
    expect(none.status).toBe(400);
    expect(parse).not.toHaveBeenCalled();
  });

  it('answers "success" at once, before the (slow) pull, and pulls with the callback Token', async () => {
    const { api, signer, channel, customer } = await kf();
    api.syncDelayMs = 600;
    api.push({
      origin: 3,
      msgtype: 'text',
      open_kfid: KFID,
      external_userid: 'u-slow',
      text: { content: '你好' },
    });
    const started = performance.now();
    const answer = await signer.notify(KFID, 'cb-slow');
    const took = performance.now() - started;
    expect(answer).toEqual({ status: 200, body: 'success' });
    expect(took).toBeLessThan(api.syncDelayMs);
    expect(api.sent).toHaveLength(0);
    await channel.idle();
    expect(customer.sentTo('u-slow').length).toBeGreaterThan(0);
    expect(api.syncCalls[0]?.token).toBe('cb-slow');
  });
});

describe('微信客服 receiving', () => {
  it('the first start reads the backlog without answering it; what came after is answered', async () => {
    const api = await fakeQyapi(CORP, SECRET);
    cleanup.push(() => api.close());
    const old = Math.floor(Date.now() / 1000) - 3600;
    for (const user of ['u-old1', 'u-old2', 'u-old1'])
      api.push({
        origin: 3,
        msgtype: 'text',
        open_kfid: KFID,
        external_userid: user,
        text: { content: '你好' },
        send_time: old,
      });
    const { runtime, customer } = await kf({ api });
    await customer.say('u-new', '你好');
    expect(customer.sentTo('u-old1')).toHaveLength(0);
    expect(customer.sentTo('u-old2')).toHaveLength(0);
    expect(await storedSession(runtime.store, `kf:${CORP}:u-old1`)).toBeUndefined();
    expect(
      customer
        .sentTo('u-new')
        .map((s) => s.content)
        .join('\n'),
    ).toContain('追回');
    expect(await runtime.cursors.get(KFID)).toBe('c4');
    // From then on every message is answered, from the saved cursor.
    await customer.say('u-old1', '你好');
    expect(customer.sentTo('u-old1').length).toBeGreaterThan(0);
    expect(api.syncCalls.at(-1)?.cursor).toBe('c4');
  });

  it('pages while has_more, through an empty page with has_more = 1; each message once', async () => {
    const { api, runtime, customer } = await kf();
    await customer.say('u-p0', '你好');
    api.pageSize = 2;
    api.emptyPages = 1;
    const users = ['u-p1', 'u-p2', 'u-p3', 'u-p4', 'u-p5'];
    for (const user of users)
      api.push({
        origin: 3,
        msgtype: 'text',
        open_kfid: KFID,
        external_userid: user,
        text: { content: 'hello' },
      });
    const calls = api.syncCalls.length;
    await customer.callback();
    // The empty page, then 2 + 2 + 1 items.
    expect(api.syncCalls.length - calls).toBe(4);
    for (const user of users) {
      expect(
        customer
          .sentTo(user)
          .map((s) => s.content)
          .join('\n'),
      ).toContain('zhuihui');
      expect((await storedSession(runtime.store, `kf:${CORP}:${user}`))?.turns).toBe(1);
    }
    expect([...api.returned.values()].every((n) => n === 1)).toBe(true);
  });

  it('a callback WeCom retries, and a page pulled twice, run each message once', async () => {
    const { api, runtime, customer, signer, channel } = await kf();
    await customer.say('u-r', '你好');
    const before = api.sent.length;
    api.push({
      origin: 3,
      msgtype: 'text',
      open_kfid: KFID,
      external_userid: 'u-r',
      text: { content: '不是' },
    });
    // WeCom retries a callback it got no answer to in time: the same notice, several times.
    const answers = await Promise.all([1, 2, 3, 4].map(() => signer.notify(KFID, 'cb-same')));
    for (const a of answers) expect(a.body).toBe('success');
    await channel.idle();
    // And sync_msg hands the same items out again (a cursor lost in a crash).
    api.replayOnce = true;
    await customer.callback();
    expect((await storedSession(runtime.store, `kf:${CORP}:u-r`))?.turns).toBe(2);
    const replies = customer.sentTo('u-r', before);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.map((r) => r.content).join('\n')).toContain('这笔钱是怎么付出去的');
    // Sent once: the replay answered nothing more.
    const again = customer.sentTo('u-r', before + replies.length);
    expect(again).toHaveLength(0);
  });

  it("pictures and voice ask for words, in the user's language", async () => {
    const { api, customer } = await kf();
    await customer.say('u-m', 'hello');
    for (const msgtype of ['image', 'voice']) {
      const n = api.sent.length;
      api.push({
        origin: 3,
        msgtype,
        open_kfid: KFID,
        external_userid: 'u-m',
        [msgtype]: { media_id: 'm1' },
      });
      await customer.callback();
      expect(
        customer
          .sentTo('u-m', n)
          .map((s) => s.content)
          .join('\n'),
      ).toContain('I can only read text');
    }
    const n = api.sent.length;
    api.push({
      origin: 3,
      msgtype: 'image',
      open_kfid: KFID,
      external_userid: 'u-mz',
      image: { media_id: 'm2' },
    });
    await customer.callback();
    expect(
      customer
        .sentTo('u-mz', n)
        .map((s) => s.content)
        .join('\n'),
    ).toContain('只能读文字');
  });

  it('enter_session with a welcome_code: the greeting, once, through send_msg_on_event', async () => {
    const { api, customer } = await kf();
    await customer.say('u-seed', '你好');
    const n = api.sent.length;
    api.push({
      origin: 4,
      msgtype: 'event',
      event: {
        event_type: 'enter_session',
        open_kfid: KFID,
        external_userid: 'u-enter',
        welcome_code: api.welcomeCode('u-enter'),
        scene: 'poster',
      },
    });
    // Without a code (WeCom's own greeting is configured, or one was sent in 48 hours): nothing.
    api.push({
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'enter_session', open_kfid: KFID, external_userid: 'u-nocode' },
    });
    await customer.callback();
    const greeting = customer.sentTo('u-enter', n);
    expect(greeting).toHaveLength(1);
    expect(greeting[0]?.onEvent).toBe(true);
    expect(greeting[0]?.content).toContain('追回');
    expect(customer.sentTo('u-nocode', n)).toHaveLength(0);
  });
});

describe('微信客服 sending', () => {
  it("options go out as a menu; a tap is read exactly as that option, an old menu's tap by its words", async () => {
    const { api, runtime, customer } = await kf();
    await customer.say('u-tap', '你好');
    await customer.say('u-tap', '不是');
    const menu = customer.sentTo('u-tap').at(-1);
    expect(menu?.msgtype).toBe('msgmenu');
    const items = menu?.menu?.items ?? [];
    expect(items.length).toBeGreaterThan(1);
    for (const item of items) {
      expect(bytes(item.id)).toBeLessThanOrEqual(64);
      expect(bytes(item.content)).toBeLessThanOrEqual(128);
    }
    // The same conversation typed by number, to compare with.
    await customer.say('u-typed', '你好');
    await customer.say('u-typed', '不是');
    await customer.say('u-typed', '2');
    const second = items[1];
    if (!second) throw new Error('no second option');
    await customer.say('u-tap', second.content, second.id);
    const tapped = await storedSession(runtime.store, `kf:${CORP}:u-tap`);
    const typed = await storedSession(runtime.store, `kf:${CORP}:u-typed`);
    expect(tapped?.stepId).toBe(typed?.stepId);
    expect(tapped?.stepId).not.toBe('urgent-check');
    // A tap on the first menu again, now that a newer question is asked: read as the label's
    // words (as if typed), never as "option 1" of the newer question.
    const first = items[0];
    if (!first) throw new Error('no first option');
    await customer.say('u-tap', first.content, first.id);
    await customer.say('u-typed', first.content);
    const late = await storedSession(runtime.store, `kf:${CORP}:u-tap`);
    const lateTyped = await storedSession(runtime.store, `kf:${CORP}:u-typed`);
    expect(late?.stepId).toBe(lateTyped?.stepId);
    expect(late?.facts).toEqual(lateTyped?.facts);
    expect(api.refused).toHaveLength(0);
  });

  it('with menus off, options are numbered text', async () => {
    const { customer } = await kf({ menu: false });
    await customer.say('u-text', '你好');
    await customer.say('u-text', '不是');
    const sent = customer.sentTo('u-text');
    expect(sent.every((s) => s.msgtype === 'text')).toBe(true);
    expect(sent.map((s) => s.content).join('\n')).toMatch(/\n1\. /);
  });

  it('never more than 5 messages per customer message: the rest on 继续, with the hint', async () => {
    const api = await fakeQyapi(CORP, SECRET);
    cleanup.push(() => api.close());
    const shared = createMemoryValues();
    const runtime = await createRuntime({
      flowFile: FLOW_FILE,
      localesDir: LOCALES_DIR,
      dataDir: '',
      store: createMemoryStore(),
      log: silentLogger,
    });
    const sender = createKfSender({
      api: createWecomApi({ base: api.base, corpId: CORP, secret: SECRET, log: silentLogger }),
      shared,
      translators: runtime.translators,
      log: silentLogger,
      menu: true,
    });
    const target = { user: `kf:${CORP}:u-long`, externalUserId: 'u-long', openKfId: KFID };
    api.push({
      origin: 3,
      msgtype: 'text',
      open_kfid: KFID,
      external_userid: 'u-long',
      text: { content: 'x' },
    });
    await sender.received(target.user, Date.now());
    // Eight copyable texts of 1,500 bytes each: eight messages, more than WeCom allows.
    const replies = Array.from({ length: 8 }, (_, i) => ({
      type: 'copy' as const,
      text: `${i}`.repeat(1500),
    }));
    await sender.deliver({ replies, lang: 'zh-CN' }, target);
    expect(api.sent).toHaveLength(5);
    expect(api.refused).toHaveLength(0);
    expect(api.sent.at(-1)?.content).toMatch(HINT);
    for (const s of api.sent) expect(bytes(s.content)).toBeLessThanOrEqual(2048);
    // 继续: the next customer message renews the allowance, and the rest comes.
    const receive = createKfReceiver({
      service: runtime.service,
      dedup: runtime.dedup,
      shared,
      sender,
      corpId: CORP,
      log: silentLogger,
    });
    const more = api.push({
      origin: 3,
      msgtype: 'text',
      open_kfid: KFID,
      external_userid: 'u-long',
      text: { content: '继续' },
    });
    // The fake's item is what WeCom sends: the receiver's own type, seen from outside.
    await receive([more as unknown as KfItem]);
    expect(api.sent.map((s) => s.content[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(api.sent.at(-1)?.content).not.toMatch(HINT);
  });

  it('several messages of one customer in one pull share the allowance of the latest', async () => {
    const { api, runtime, customer } = await kf();
    await customer.say('u-burst', '你好');
    const n = api.sent.length;
    for (const content of ['不是', '赞赏码', '不是', '不是', '转错人了', '2026-11-20'])
      api.push({
        origin: 3,
        msgtype: 'text',
        open_kfid: KFID,
        external_userid: 'u-burst',
        text: { content },
      });
    await customer.callback();
    // Six answers, but WeCom allows 5 messages after the latest customer message: never asked for more.
    expect(customer.sentTo('u-burst', n)).toHaveLength(5);
    expect(api.refused).toHaveLength(0);
    expect((await storedSession(runtime.store, `kf:${CORP}:u-burst`))?.turns).toBe(7);
  });

  it('an expired token is fetched again once and the message still arrives', async () => {
    const { api, customer } = await kf();
    await customer.say('u-exp', '你好');
    const n = api.sent.length;
    api.failNext(42001);
    await customer.say('u-exp', '不是');
    expect(
      customer
        .sentTo('u-exp', n)
        .map((s) => s.content)
        .join('\n'),
    ).toContain('这笔钱是怎么付出去的');
    expect(api.tokensIssued).toBe(2);
  });

  it('95018 (a person has the session): nothing more is sent, the hook is told, no retries', async () => {
    const held: string[] = [];
    const warnings: string[] = [];
    const log: Logger = {
      ...silentLogger,
      info: (_o: unknown, msg?: string) => void (msg && warnings.push(msg)),
      warn: (_o: unknown, msg?: string) => void (msg && warnings.push(msg)),
    } as Logger;
    const { api, customer } = await kf({
      hooks: { personHolds: (t) => void held.push(t.user) },
      log,
    });
    await customer.say('u-h', '你好');
    api.setState('u-h', 3, 'servicer-li');
    const n = api.sent.length;
    await customer.say('u-h', '不是');
    expect(customer.sentTo('u-h', n)).toHaveLength(0);
    expect(api.refused.filter((r) => r.errcode === 95018)).toHaveLength(1);
    expect(held).toEqual([`kf:${CORP}:u-h`]);
    expect(warnings.join('\n')).toContain('a person holds this session');
    // The person ends the session (state 4): the customer's next message is the bot's again.
    api.setState('u-h', 4);
    await customer.say('u-h', '不是');
    expect(customer.sentTo('u-h', n).length).toBeGreaterThan(0);
  });

  it("95001 (WeCom's own limit) is logged and not retried", async () => {
    const { api, customer } = await kf();
    await customer.say('u-l', '你好');
    api.failNext(95001);
    const n = api.sent.length;
    await customer.say('u-l', '不是');
    expect(api.refused.filter((r) => r.errcode === 95001)).toHaveLength(1);
    expect(customer.sentTo('u-l', n)).toHaveLength(0);
  });

  it("a servicer's words (origin 5) are not answered; the hook hears of them", async () => {
    const spoke: string[] = [];
    const changed: number[] = [];
    const { api, customer } = await kf({
      hooks: {
        servicerSpoke: (t) => void spoke.push(t.user),
        sessionChanged: (_t, c) => void changed.push(c),
      },
    });
    await customer.say('u-s', '你好');
    const n = api.sent.length;
    api.push({
      origin: 5,
      msgtype: 'text',
      open_kfid: KFID,
      external_userid: 'u-s',
      servicer_userid: 'li',
      text: { content: '您好，我是小李' },
    });
    api.push({
      origin: 4,
      msgtype: 'event',
      event: {
        event_type: 'session_status_change',
        open_kfid: KFID,
        external_userid: 'u-s',
        change_type: 3,
      },
    });
    await customer.callback();
    expect(customer.sentTo('u-s', n)).toHaveLength(0);
    expect(spoke).toEqual([`kf:${CORP}:u-s`]);
    expect(changed).toEqual([3]);
  });
});

describe('微信客服 native handoff (the API side)', () => {
  it('service_state: to a servicer (3) or the queue (2), read back; only 0, 1 and 4 leave the bot speaking', async () => {
    const api = await fakeQyapi(CORP, SECRET);
    cleanup.push(() => api.close());
    const client = createWecomApi({
      base: api.base,
      corpId: CORP,
      secret: SECRET,
      log: silentLogger,
    });
    const target = { user: `kf:${CORP}:u-x`, externalUserId: 'u-x', openKfId: KFID };
    expect(await botHasIt(client, target)).toBe(true);
    expect(await handToPerson(client, target, 'servicer-li')).toEqual({ msgCode: 'mc-3' });
    expect(await client.serviceState(KFID, 'u-x')).toEqual({
      state: 3,
      servicerUserId: 'servicer-li',
    });
    expect(await botHasIt(client, target)).toBe(false);
    const other = { ...target, user: `kf:${CORP}:u-y`, externalUserId: 'u-y' };
    expect(await handToPerson(client, other)).toEqual({ msgCode: 'mc-2' });
    expect(await botHasIt(client, other)).toBe(false);
  });
});

/** Every golden transcript through 微信客服: within WeCom's limits, expectations met. */
describe('golden transcripts through 微信客服', () => {
  it('every conversation in both languages: ≤ 5 messages per message, texts ≤ 2,048 bytes, menus within limits', async () => {
    const { api, runtime, customer } = await kf();
    const files = await listTranscripts(`${ROOT}/test/transcripts`);
    expect(files.length).toBeGreaterThanOrEqual(12);
    let messages = 0;
    let menus = 0;
    let continued = 0;
    for (const file of files) {
      const transcript = await loadTranscript(file);
      const user = `u-${file.split('/').at(-1)}`;
      const lang = file.includes('.en.') ? 'en' : 'zh-CN';
      for (const turn of transcript.turns) {
        let from = api.sent.length;
        await customer.say(user, turn.user);
        const pages: KfSent[] = [];
        for (;;) {
          const sent = customer.sentTo(user, from);
          expect(sent.length, `${file}: ${turn.user}`).toBeLessThanOrEqual(5);
          pages.push(...sent);
          if (!HINT.test(sent.at(-1)?.content ?? '')) break;
          from = api.sent.length;
          await customer.say(user, MORE[lang]);
          continued++;
        }
        messages += pages.length;
        menus += pages.filter((p) => p.msgtype === 'msgmenu').length;
        for (const page of pages)
          if (page.msgtype === 'text')
            expect(bytes(page.content), `${file}: ${turn.user}`).toBeLessThanOrEqual(2048);
        const all = pages.map((p) => p.content).join('\n');
        for (const pattern of turn.expect ?? [])
          expect(matches(all, pattern), `${file}: "${turn.user}" expects ${pattern}`).toBe(true);
        for (const pattern of turn.reject ?? [])
          expect(matches(all, pattern), `${file}: "${turn.user}" rejects ${pattern}`).toBe(false);
        if (turn.step)
          expect(
            (await storedSession(runtime.store, `kf:${CORP}:${user}`))?.stepId,
            `${file}: ${turn.user}`,
          ).toBe(turn.step);
      }
    }
    expect(messages).toBeGreaterThan(50);
    expect(menus).toBeGreaterThan(20);
    // The fake refuses what WeCom would (over 5, over 2,048 bytes, a menu over its limits).
    expect(api.refused).toHaveLength(0);
    // Every message names itself (the same msgid on a retry), as WeCom allows: ≤ 32 bytes.
    const ids = api.sent.filter((s) => !s.onEvent).map((s) => s.msgid ?? '');
    for (const id of ids) expect(id).toMatch(/^[0-9a-zA-Z_-]{1,32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    console.info(`微信客服 transcripts: ${messages} messages, ${menus} menus, ${continued} 继续`);
  }, 120_000);
});

function matches(text: string, pattern: string): boolean {
  const regex = /^\/(.+)\/([imsu]*)$/s.exec(pattern);
  return regex?.[1] ? new RegExp(regex[1], regex[2]).test(text) : text.includes(pattern);
}

describe('微信客服 state that outlives a process', () => {
  it('a restart on the same DATA_DIR continues from the saved cursor: nothing replayed, nothing skipped', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-kf-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const api = await fakeQyapi(CORP, SECRET);
    cleanup.push(() => api.close());
    const open = () =>
      createRuntime({
        flowFile: FLOW_FILE,
        localesDir: LOCALES_DIR,
        dataDir,
        log: silentLogger,
        flood: false,
      });
    const first = await open();
    const a = await kf({ api, runtime: first });
    await a.customer.say('u-f', '你好');
    await first.close();
    const second = await open();
    cleanup.push(() => second.close());
    const b = await kf({ api, runtime: second, startedAt: Date.now() + 3_600_000 });
    const n = api.sent.length;
    await b.customer.say('u-f', '不是');
    // Started "later" than the message: still answered, because a cursor was saved.
    expect(
      b.customer
        .sentTo('u-f', n)
        .map((s) => s.content)
        .join('\n'),
    ).toContain('这笔钱是怎么付出去的');
    expect([...api.returned.values()].every((count) => count === 1)).toBe(true);
  });
});

describe('微信客服 on two workers sharing one Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    await redis.dispose();
  });

  it('callbacks to either or both workers: no page pulled twice, each message answered once', async () => {
    const api = await fakeQyapi(CORP, SECRET);
    cleanup.push(() => api.close());
    api.pageSize = 3;
    api.syncDelayMs = 20;
    const workers = await Promise.all(
      [1, 2].map(async () => {
        const runtime = await createRuntime({
          flowFile: FLOW_FILE,
          localesDir: LOCALES_DIR,
          dataDir: '/nonexistent',
          storeUrl: redis.url,
          storePrefix: 'kf-two:',
          log: silentLogger,
          flood: false,
        });
        cleanup.push(() => runtime.close());
        return kf({ api, runtime });
      }),
    );
    const [one, two] = workers;
    if (!one || !two) throw new Error('two workers');
    // The first start reads the (empty) backlog.
    await one.customer.callback();
    const users = Array.from({ length: 12 }, (_, i) => `u-w${i}`);
    for (let round = 0; round < 3; round++) {
      for (const user of users)
        api.push({
          origin: 3,
          msgtype: 'text',
          open_kfid: KFID,
          external_userid: user,
          text: { content: round === 0 ? '你好' : '帮助' },
        });
      // WeCom's notices reach both workers at once (a load balancer and WeCom's retries).
      await Promise.all([
        one.signer.notify(KFID, `r${round}`),
        two.signer.notify(KFID, `r${round}`),
      ]);
      await Promise.all([one.channel.idle(), two.channel.idle()]);
      await Promise.all([one.channel.idle(), two.channel.idle()]);
    }
    expect([...api.returned.values()].every((n) => n === 1)).toBe(true);
    expect(api.returned.size).toBe(36);
    for (const user of users) {
      expect((await storedSession(one.runtime.store, `kf:${CORP}:${user}`))?.turns, user).toBe(3);
      expect(one.customer.sentTo(user).length).toBeGreaterThanOrEqual(3);
    }
    expect(api.refused).toHaveLength(0);
  }, 60_000);
});

describe('npm run serve with 微信客服 only', () => {
  it('config: WECOM_CORP_ID alone names what is missing; with it, no Official Account is needed', () => {
    expect(() => loadConfig(['serve'], { WECOM_CORP_ID: CORP })).toThrow(
      /WECOM_KF_SECRET, WECOM_TOKEN, WECOM_ENCODING_AES_KEY/,
    );
    const config = loadConfig(['serve'], {
      WECOM_CORP_ID: CORP,
      WECOM_KF_SECRET: SECRET,
      WECOM_TOKEN: TOKEN,
      WECOM_ENCODING_AES_KEY: AES,
    });
    expect(config.command === 'serve' && config.oa).toBeUndefined();
    expect(config.command === 'serve' && config.wecom).toMatchObject({
      corpId: CORP,
      apiBase: 'https://qyapi.weixin.qq.com',
      menu: true,
    });
    expect(() => loadConfig(['serve'], {})).toThrow(/WECHAT_OA_TOKEN.*WECOM_CORP_ID/);
  });

  it('the process serves /wechat/kf, answers the URL check, and exits 0 on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-kf-serve-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      cwd: ROOT,
      env: {
        ...withoutOa(process.env),
        WECOM_CORP_ID: CORP,
        WECOM_KF_SECRET: SECRET,
        WECOM_TOKEN: TOKEN,
        WECOM_ENCODING_AES_KEY: AES,
        WECOM_API_BASE: 'http://127.0.0.1:9',
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      },
    });
    let err = '';
    const listening = new Promise<string>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const url = /"url":"([^"]+\/wechat\/kf)"/.exec(err)?.[1];
        if (url) resolve(url);
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await Promise.race([
      listening,
      exited.then((code) => Promise.reject(new Error(`exited ${code}: ${err}`))),
    ]);
    const signer = kfSigner({ url, corpId: CORP, token: TOKEN, encodingAesKey: AES });
    expect(await signer.verify('hello-kf')).toEqual({ status: 200, body: 'hello-kf' });
    expect((await fetch(url.replace('/wechat/kf', '/wechat/oa'))).status).toBe(404);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});

/** The environment without any Official Account setting: 微信客服 alone. */
function withoutOa(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('WECHAT_OA_')));
}

describe("微信客服 native handoff (the handoff state on WeCom's own)", () => {
  const statusChange = (user: string, change: number) => ({
    origin: 4,
    msgtype: 'event',
    event: {
      event_type: 'session_status_change',
      open_kfid: KFID,
      external_userid: user,
      change_type: change,
    },
  });

  it("a consented request goes to WeCom's queue; the bot is quiet while a person has it, and back when WeCom ends it", async () => {
    const { api, runtime, customer } = await kf({ handoff: true, menu: false });
    const user = `kf:${CORP}:u-n`;
    await customer.say('u-n', '你好');
    await customer.say('u-n', '我要人工客服');
    const asked = customer
      .sentTo('u-n')
      .map((s) => s.content)
      .join('\n');
    expect(asked).toContain('同意把这份摘要转给志愿者吗');
    expect(api.userOf('u-n').state).toBeLessThan(2);
    await customer.say('u-n', '是');
    // The user was told first, then WeCom moved the session to its queue.
    expect(customer.sentTo('u-n').at(-1)?.content).toContain('已经转给志愿者');
    expect(api.userOf('u-n').state).toBe(2);
    expect((await storedSession(runtime.store, user))?.handoff?.state).toBe('waiting');
    // A servicer takes it from the queue: the case is a person's.
    api.setState('u-n', 3, 'servicer-li');
    api.push(statusChange('u-n', 1));
    await customer.callback();
    expect((await storedSession(runtime.store, user))?.handoff).toMatchObject({
      state: 'human',
      operator: '微信客服',
    });
    const n = api.sent.length;
    await customer.say('u-n', '您好 在吗');
    expect(customer.sentTo('u-n', n)).toHaveLength(0);
    expect(api.refused.filter((r) => r.errcode === 95018)).toHaveLength(0);
    // The servicer ends the session in WeCom: the bot answers the next message again.
    api.setState('u-n', 4);
    api.push(statusChange('u-n', 3));
    await customer.callback();
    expect((await storedSession(runtime.store, user))?.handoff).toBeUndefined();
    await customer.say('u-n', '不是');
    expect(customer.sentTo('u-n', n).length).toBeGreaterThan(0);
  });

  it('without WECOM_HANDOFF nobody is offered and nothing is transferred', async () => {
    const { api, customer } = await kf({ menu: false });
    await customer.say('u-o', '你好');
    await customer.say('u-o', '我要人工客服');
    expect(
      customer
        .sentTo('u-o')
        .map((s) => s.content)
        .join('\n'),
    ).toContain('12348');
    expect(api.userOf('u-o').state).toBeLessThan(2);
  });
});
