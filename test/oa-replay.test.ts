import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decrypt as wecomDecrypt, encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signature } from '../src/adapters/oa/crypto.js';
import {
  createOaHandler,
  listen,
  refusals,
  type OaSettings,
  type RefusalCause,
} from '../src/adapters/oa/server.js';
import { buildXml, parseXml } from '../src/adapters/oa/xml.js';
import type { Logger } from '../src/log.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';
import { FLOW_FILE, LOCALES_DIR, storedSession } from './helpers.js';

/**
 * Signed webhook requests expire and are used once (red-team M8); every refusal is logged with
 * its cause and counted (m21); a safe-mode push to a server without the AES key is refused
 * with a log line naming the fix (M10).
 */
const TOKEN = 'zhuihuiToken1';
const APPID = 'wx1234567890abcdef';
const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const DAY = 86_400;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Logged {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

function recordingLogger(lines: Logged[]): Logger {
  const at =
    (level: string) =>
    (fields: unknown, msg?: string): void =>
      void lines.push({
        level,
        fields: typeof fields === 'object' && fields ? (fields as Record<string, unknown>) : {},
        msg: msg ?? (typeof fields === 'string' ? fields : ''),
      });
  return { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as Logger;
}

async function webhook(
  settings: Partial<OaSettings> = {},
  options: { dataDir?: string; clock?: () => number } = {},
) {
  const lines: Logged[] = [];
  const runtime: Runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir: options.dataDir ?? '',
    ...(options.dataDir ? {} : { store: createMemoryStore() }),
    log: recordingLogger([]),
    flood: false,
  });
  const handler = createOaHandler({
    service: runtime.service,
    translators: runtime.translators,
    shared: runtime.shared,
    settings: {
      token: TOKEN,
      appId: APPID,
      encodingAesKey: undefined,
      mode: 'passive',
      path: '/wechat/oa',
      ...settings,
    },
    log: recordingLogger(lines),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const server: Server = await listen(handler, 0, '127.0.0.1');
  const close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.close();
  };
  cleanup.push(close);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { runtime, lines, close, url: `http://127.0.0.1:${port}/wechat/oa` };
}

interface Push {
  openId?: string;
  content?: string;
  msgId?: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  nonce?: string;
  /** Safe mode: encrypted with this key (and AppID), signed over Encrypt. */
  aes?: string;
  appId?: string;
  /** Leave out the plain fields (a safe-mode push carries only ToUserName and Encrypt). */
  encryptedOnly?: boolean;
}

/** A push signed as WeChat signs it, with the timestamp and nonce under the test's control. */
function request(url: string, push: Push): { href: string; body: string } {
  const timestamp = String(push.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = push.nonce ?? randomBytes(6).toString('hex');
  const inner = buildXml({
    ToUserName: 'gh_fake',
    FromUserName: push.openId ?? 'o-victim',
    CreateTime: Number(timestamp),
    MsgType: 'text',
    Content: push.content ?? '你好',
    MsgId: push.msgId ?? randomBytes(6).readUIntBE(0, 6).toString(),
  });
  const q = new URLSearchParams({
    timestamp,
    nonce,
    signature: signature(TOKEN, timestamp, nonce),
  });
  if (!push.aes) return { href: `${url}?${q.toString()}`, body: inner };
  const encrypted = wecomEncrypt(push.aes, inner, push.appId ?? APPID);
  q.set('encrypt_type', 'aes');
  q.set('msg_signature', getSignature(TOKEN, timestamp, nonce, encrypted));
  return {
    href: `${url}?${q.toString()}`,
    body: buildXml({ ToUserName: 'gh_fake', Encrypt: encrypted }),
  };
}

const send = async ({ href, body }: { href: string; body: string }) => {
  const response = await fetch(href, { method: 'POST', body });
  return { status: response.status, text: await response.text() };
};

/** A reply's Content, decrypted in safe mode (each encryption of one reply differs). */
function contentOf(text: string, aes: string | undefined): string | undefined {
  const outer = parseXml(text);
  if (!aes || !outer?.Encrypt) return outer?.Content;
  return parseXml(wecomDecrypt(aes, outer.Encrypt).message)?.Content;
}

const counted = (cause: RefusalCause) => refusals[cause];

function refusalLogged(lines: Logged[], cause: RefusalCause): Logged | undefined {
  return lines.find((l) => l.level === 'warn' && l.fields.cause === cause);
}

describe.each([
  ['plain', undefined],
  ['safe mode', AES],
])('%s: signed requests expire and are used once (M8)', (_mode, aes) => {
  const settings = aes ? { encodingAesKey: aes } : {};
  const opts = aes ? { aes } : {};

  it('a timestamp 30 days old or a year ahead is refused, logged and counted', async () => {
    // The server's clock held still, so that the 5-minute edges are exact.
    const now = Math.floor(Date.now() / 1000);
    const { url, lines, runtime } = await webhook(settings, { clock: () => now * 1000 });
    const before = counted('stale-timestamp');
    for (const timestamp of [now - 30 * DAY, now + 365 * DAY, now - 301, now + 301]) {
      const r = await send(request(url, { ...opts, timestamp, content: '摘要' }));
      expect([timestamp - now, r.status]).toEqual([timestamp - now, 401]);
    }
    expect(counted('stale-timestamp') - before).toBe(4);
    const line = refusalLogged(lines, 'stale-timestamp');
    expect(line?.msg).toBe('webhook request refused');
    // Never the body.
    expect(JSON.stringify(lines)).not.toContain('摘要');
    expect(await storedSession(runtime.store, `oa:${APPID}:o-victim`)).toBeUndefined();
    // Within the window either way: answered.
    for (const timestamp of [now - 300, now + 300])
      expect((await send(request(url, { ...opts, timestamp }))).status).toBe(200);
  });

  it('the server clock is what counts: a fresh request to a server 6 minutes ahead is refused', async () => {
    const { url } = await webhook(settings, { clock: () => Date.now() + 6 * 60_000 });
    expect((await send(request(url, opts))).status).toBe(401);
  });

  it('a nonce used again with another body (another user) is refused; the same body again is only a retry', async () => {
    const { url, lines, runtime } = await webhook(settings);
    const timestamp = Math.floor(Date.now() / 1000);
    const nonce = 'n-captured';
    const first = request(url, { ...opts, timestamp, nonce, msgId: '1001' });
    const answered = await send(first);
    expect(answered.status).toBe(200);
    const before = counted('reused-nonce');
    const other = await send(
      request(url, { ...opts, timestamp, nonce, openId: 'o-attacker', msgId: '1002' }),
    );
    expect(other.status).toBe(401);
    expect(counted('reused-nonce') - before).toBe(1);
    expect(refusalLogged(lines, 'reused-nonce')).toBeDefined();
    expect(await storedSession(runtime.store, `oa:${APPID}:o-attacker`)).toBeUndefined();
    // WeChat's retry (or an exact copy): the first attempt's reply, never a second turn.
    const again = await send(first);
    expect(again.status).toBe(200);
    expect(contentOf(again.text, aes)).toBe(contentOf(answered.text, aes));
    expect(contentOf(again.text, aes)).toContain('追回');
    expect((await storedSession(runtime.store, `oa:${APPID}:o-victim`))?.turns).toBe(1);
  });

  it('an exact copy of a request is not handled again after a restart (file store)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-replay-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const one = await webhook(settings, { dataDir });
    const copy = request(one.url, { ...opts, msgId: '2001' });
    expect((await send(copy)).status).toBe(200);
    await one.close();
    const two = await webhook(settings, { dataDir });
    // Taken for WeChat's retry, it gets only a reply kept from the first attempt: none here
    // (no answer at all, so a real retry would be tried again), and no second turn.
    const replayed = await send({
      href: copy.href.replace(one.url, two.url),
      body: copy.body,
    }).catch(() => undefined);
    expect(replayed?.text ?? 'success').toBe('success');
    expect((await storedSession(two.runtime.store, `oa:${APPID}:o-victim`))?.turns).toBe(1);
  });
});

describe('configuration mismatches are loud (M10, m21)', () => {
  it('a safe-mode push to a server without WECHAT_OA_ENCODING_AES_KEY is refused, naming the fix', async () => {
    const { url, lines } = await webhook();
    const before = counted('encrypted-without-aes-key');
    const r = await send(request(url, { aes: AES }));
    expect(r.status).toBe(401);
    expect(r.text).not.toBe('success');
    expect(counted('encrypted-without-aes-key') - before).toBe(1);
    expect(String(refusalLogged(lines, 'encrypted-without-aes-key')?.fields.hint)).toContain(
      'WECHAT_OA_ENCODING_AES_KEY',
    );
  });

  it('a plain push to a safe-mode server, a wrong AppID and a wrong token are each logged with their cause', async () => {
    const { url, lines } = await webhook({ encodingAesKey: AES });
    expect((await send(request(url, {}))).status).toBe(401);
    expect(refusalLogged(lines, 'safe-mode-without-encrypt')).toBeDefined();
    expect((await send(request(url, { aes: AES, appId: 'wxanother0000000' }))).status).toBe(403);
    expect(refusalLogged(lines, 'appid-mismatch')).toBeDefined();
    const tampered = request(url, { aes: AES });
    const bad = await send({
      href: tampered.href.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'0'.repeat(40)}`),
      body: tampered.body,
    });
    expect(bad.status).toBe(401);
    expect(refusalLogged(lines, 'bad-signature')?.fields.hint).toContain('WECHAT_OA_TOKEN');
  });
});
