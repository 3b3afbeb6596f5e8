import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOaHandler, type OaSettings } from '../src/adapters/oa/server.js';
import * as xml from '../src/adapters/oa/xml.js';
import { signature } from '../src/adapters/oa/crypto.js';
import { DEFAULT_TRANSCRIPT_NOW } from '../src/authoring/transcript.js';
import type { Logger } from '../src/log.js';
import { createRuntime } from '../src/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';
import { FLOW_FILE, LOCALES_DIR } from './helpers.js';
import { listenLocal } from './listen-local.js';
import { fakeWeChat } from './wechat-fake.js';

// The parser, counted: an unsigned safe-mode body must not reach it (red-team m38).
vi.mock('../src/adapters/oa/xml.js', async (original) => {
  const actual = await original<typeof import('../src/adapters/oa/xml.js')>();
  return { ...actual, parseXml: vi.fn(actual.parseXml) };
});

const TOKEN = 'zhuihuiToken1';
const APPID = 'wx1234567890abcdef';
const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

/** A logger that keeps each line's level, message and fields. */
function recorder() {
  const lines: Array<{ level: string; msg: string; fields: unknown }> = [];
  const at =
    (level: string) =>
    (a: unknown, b?: unknown): void =>
      void lines.push(
        typeof a === 'string'
          ? { level, msg: a, fields: undefined }
          : { level, msg: String(b), fields: a },
      );
  const log = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
  return { log: log as unknown as Logger, lines };
}

async function webhook(settings: Partial<OaSettings> = {}) {
  const runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir: '',
    store: createMemoryStore(),
    log: recorder().log,
    clock: () => new Date(DEFAULT_TRANSCRIPT_NOW),
    flood: false,
  });
  const { log, lines } = recorder();
  const full: OaSettings = {
    token: TOKEN,
    appId: APPID,
    encodingAesKey: undefined,
    mode: 'passive',
    path: '/oa',
    ...settings,
  };
  const handler = createOaHandler({
    service: runtime.service,
    translators: runtime.translators,
    shared: runtime.shared,
    settings: full,
    log,
  });
  const port = await listenLocal(handler, cleanup);
  const url = `http://127.0.0.1:${port}/oa`;
  const wechat = fakeWeChat({
    url,
    token: TOKEN,
    appId: APPID,
    ...(full.encodingAesKey ? { encodingAesKey: full.encodingAesKey } : {}),
  });
  return { url, port, lines, wechat, runtime };
}

/** A query WeChat would sign for this moment (the body's own signature left out). */
function signedQuery(): URLSearchParams {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = Math.random().toString(36).slice(2);
  return new URLSearchParams({ timestamp, nonce, signature: signature(TOKEN, timestamp, nonce) });
}

describe('the webhook’s XML (red-team m37 b)', () => {
  it('a DOCTYPE’s entities are not expanded; XML’s own and character references are', () => {
    const parsed = xml.parseXml(
      '<!DOCTYPE xml [<!ENTITY who "o-attacker">]><xml><FromUserName>&who;</FromUserName>' +
        '<Content>a &lt;b&gt; &amp; &#20320;&#x597D;</Content></xml>',
    );
    expect(parsed?.FromUserName).toBe('&who;');
    expect(parsed?.Content).toBe('a <b> & 你好');
  });
});

describe('a client that resets mid-body (red-team m37 c)', () => {
  it('is a warning without a stack, not an error', async () => {
    const { port, lines } = await webhook();
    const q = signedQuery();
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /oa?${q.toString()} HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n<xml>`,
        );
        setTimeout(() => socket.resetAndDestroy(), 100);
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    await vi.waitFor(() => expect(lines.some((l) => l.msg.includes('closed'))).toBe(true));
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    const warning = lines.find((l) => l.msg.includes('closed'));
    expect(warning?.level).toBe('warn');
    expect(JSON.stringify(warning)).not.toMatch(/stack|at .*\.js/);
  });
});

describe('safe mode: the signature is checked before any parse (red-team m38)', () => {
  it('an unsigned 60 KB body is refused without the XML parser; a signed message is answered', async () => {
    const { url, wechat } = await webhook({ encodingAesKey: AES });
    const parse = vi.mocked(xml.parseXml);
    parse.mockClear();
    const q = signedQuery();
    q.set('encrypt_type', 'aes');
    q.set('msg_signature', '0'.repeat(40));
    const junk = `<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[${'QUJD'.repeat(15_000)}]]></Encrypt></xml>`;
    const refused = await fetch(`${url}?${q.toString()}`, { method: 'POST', body: junk });
    expect(refused.status).toBe(401);
    const noEncrypt = await fetch(`${url}?${q.toString()}`, {
      method: 'POST',
      body: `<xml>${'<a>b</a>'.repeat(7_000)}</xml>`,
    });
    expect(noEncrypt.status).toBe(401);
    expect(parse).not.toHaveBeenCalled();
    const answered = await wechat.text('o-safe', '你好', '1');
    expect(answered.content).toContain('追回');
  });
});
