import { decrypt as wecomDecrypt, encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createOaApi } from '../src/adapters/oa/api.js';
import { aesKey, decrypt, encrypt, signature } from '../src/adapters/oa/crypto.js';
import { createOaHandler, type OaSettings } from '../src/adapters/oa/server.js';
import { listTranscripts, loadTranscript } from '../src/adapters/files/transcripts.js';
import { DEFAULT_TRANSCRIPT_NOW } from '../src/authoring/transcript.js';
import { silentLogger } from '../src/log.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';
import { buildXml, parseXml } from '../src/adapters/oa/xml.js';
import { FLOW_FILE, LOCALES_DIR, ROOT, storedSession } from './helpers.js';
import { listenLocal } from './listen-local.js';
import { fakeApi, fakeWeChat, type FakeApi } from './wechat-fake.js';

const TOKEN = 'zhuihuiToken1';
const APPID = 'wx1234567890abcdef';
const SECRET = 'appsecret-test';
const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const MORE = { 'zh-CN': '继续', en: 'more' };
const HINT = /（还有下文：回复「继续」查看）|\(More follows: reply "more" to read it\.\)/;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function webhook(settings: Partial<OaSettings> = {}, api?: FakeApi) {
  const runtime: Runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir: '',
    store: createMemoryStore(),
    log: silentLogger,
    clock: () => new Date(DEFAULT_TRANSCRIPT_NOW),
    // The fake WeChat replays a whole conversation in well under a second: a flood by design.
    flood: false,
  });
  const full: OaSettings = {
    token: TOKEN,
    appId: APPID,
    encodingAesKey: undefined,
    mode: 'passive',
    path: '/wechat/oa',
    ...settings,
  };
  const handler = createOaHandler({
    service: runtime.service,
    translators: runtime.translators,
    shared: runtime.shared,
    settings: full,
    log: silentLogger,
    ...(api
      ? { api: createOaApi({ base: api.base, appId: APPID, appSecret: SECRET, log: silentLogger }) }
      : {}),
  });
  const port = await listenLocal(handler, cleanup);
  const url = `http://127.0.0.1:${port}/wechat/oa`;
  const wechat = fakeWeChat({
    url,
    token: TOKEN,
    appId: APPID,
    ...(full.encodingAesKey ? { encodingAesKey: full.encodingAesKey } : {}),
  });
  return { runtime, url, wechat };
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('WeChat message crypto, against the published @wecom/crypto', () => {
  it('signatures, encryption and decryption interoperate both ways', () => {
    const key = aesKey(AES);
    const message = '<xml><Content><![CDATA[转错了五百块 🙏]]></Content></xml>';
    expect(signature(TOKEN, '1700000000', 'nonce', 'ENC')).toBe(
      getSignature(TOKEN, '1700000000', 'nonce', 'ENC'),
    );
    const ours = encrypt(key, message, APPID);
    expect(wecomDecrypt(AES, ours)).toMatchObject({ message, id: APPID });
    const theirs = wecomEncrypt(AES, message, APPID);
    expect(decrypt(key, theirs)).toEqual({ message, appId: APPID });
    // The same random prefix gives the same ciphertext: the same scheme, byte for byte.
    const random = Buffer.alloc(16, 7);
    expect(encrypt(key, message, APPID, random)).toBe(wecomEncrypt(AES, message, APPID, random));
  });
});

describe('slow connections', () => {
  it('one that drips a byte every 2 s is cut about 10 s after it opened (m20)', async () => {
    const { url } = await webhook();
    const { connect } = await import('node:net');
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    const opened = Date.now();
    socket.write('POST /wechat/oa HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    const drip = setInterval(() => socket.write('a'), 2_000);
    const lived = await new Promise<number>((resolve) => {
      socket.on('close', () => resolve(Date.now() - opened));
      socket.on('error', () => undefined);
    });
    clearInterval(drip);
    // 10 s and one check (1 s); Node’s default check every 30 s let such connections live 32 s.
    expect(lived).toBeLessThan(15_000);
  }, 40_000);
});

describe('reply XML', () => {
  it('drops what XML 1.0 forbids: control characters, noncharacters, lone surrogates (m19)', () => {
    const xml = buildXml({ Content: '大概五六百\u0001\u000b\u001f\ufffe块 王五\ud800\t\n' });
    // eslint-disable-next-line no-control-regex -- looking for control characters
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/u);
    expect(parseXml(xml)?.Content).toBe('大概五六百块 王五\t\n');
  });
});

describe('the Official Account webhook', () => {
  it('URL verification echoes only on a valid signature', async () => {
    const { url } = await webhook();
    const now = String(Math.floor(Date.now() / 1000));
    const q = (sig: string) =>
      new URLSearchParams({ signature: sig, timestamp: now, nonce: 'n', echostr: 'hello-echo' });
    const ok = await fetch(`${url}?${q(signature(TOKEN, now, 'n')).toString()}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('hello-echo');
    const bad = await fetch(`${url}?${q('f'.repeat(40)).toString()}`);
    expect(bad.status).toBe(401);
    expect(await bad.text()).toBe('');
  });

  it.each([
    ['plain', undefined],
    ['safe mode', AES],
  ])('%s: a bad signature is refused and touches nothing', async (_, encodingAesKey) => {
    const { runtime, wechat } = await webhook(encodingAesKey ? { encodingAesKey } : {});
    const refused = await wechat.text('o-bad', '你好', undefined, true);
    expect(refused.status).toBe(401);
    expect(await storedSession(runtime.store, `oa:${APPID}:o-bad`)).toBeUndefined();
    const unsigned = await fetch(wechat.url, { method: 'POST', body: '<xml></xml>' });
    expect(unsigned.status).toBe(401);
  });

  it('a message WeChat retries with the same MsgId runs once and gets the same reply', async () => {
    const { runtime, wechat } = await webhook();
    const first = await wechat.text('o-retry', '你好', '900001');
    const retries = await Promise.all(
      [1, 2, 3].map(() => wechat.text('o-retry', '你好', '900001')),
    );
    for (const r of retries) expect(r.content).toBe(first.content);
    expect((await storedSession(runtime.store, `oa:${APPID}:o-retry`))?.turns).toBe(1);
  });

  it('the same MsgId from two users is two messages, both answered (m18)', async () => {
    const { wechat } = await webhook();
    expect((await wechat.text('o-id-1', '你好', '900777')).content).toContain('追回');
    expect((await wechat.text('o-id-2', '你好', '900777')).content).toContain('追回');
  });

  it('pictures and voice ask for words; subscribe greets; unsubscribe says nothing', async () => {
    const { wechat } = await webhook();
    expect((await wechat.event('o-sub', 'subscribe')).content).toContain('追回');
    expect((await wechat.media('o-sub', 'image')).content).toContain('只能读文字');
    expect((await wechat.media('o-sub', 'voice')).content).toContain('只能读文字');
    const gone = await wechat.event('o-sub', 'unsubscribe');
    expect(gone.status).toBe(200);
    expect(gone.body).toBe('success');
  });
});

/** Every golden transcript, through the webhook: replies within limits, expectations met. */
async function replayTranscripts(settings: Partial<OaSettings>, api?: FakeApi) {
  const { runtime, wechat } = await webhook(settings, api);
  const files = await listTranscripts(`${ROOT}/test/transcripts`);
  expect(files.length).toBeGreaterThanOrEqual(12);
  let messages = 0;
  let continued = 0;
  for (const file of files) {
    const transcript = await loadTranscript(file);
    const openId = `o-${file.split('/').at(-1)}`;
    const lang = file.includes('.en.') ? 'en' : 'zh-CN';
    for (const turn of transcript.turns) {
      const before = api?.sent.length ?? 0;
      const pages: string[] = [];
      let reply = await wechat.text(openId, turn.user);
      // Passive: one message per push, the rest on "继续"/"more".
      for (;;) {
        if (reply.content !== undefined) pages.push(reply.content);
        if (api || reply.content === undefined || !HINT.test(reply.content)) break;
        reply = await wechat.text(openId, MORE[lang]);
        continued++;
      }
      if (api) {
        // Customer-service: "success" at once, then at most 5 messages per user message.
        expect(reply.body).toBe('success');
        await until(() => (api.sent.length > before ? api.sent.length : 0));
        await new Promise((r) => setTimeout(r, 30));
        const sent = api.sent.slice(before).map((s) => s.content);
        expect(sent.length, `${file}: ${turn.user}`).toBeLessThanOrEqual(5);
        pages.push(...sent);
        while (HINT.test(pages.at(-1) ?? '')) {
          const n = api.sent.length;
          await wechat.text(openId, MORE[lang]);
          continued++;
          await until(() => (api.sent.length > n ? 1 : 0));
          pages.push(...api.sent.slice(n).map((s) => s.content));
        }
      }
      messages += pages.length;
      for (const page of pages)
        expect(bytes(page), `${file}: ${turn.user}`).toBeLessThanOrEqual(2048);
      const all = pages.join('\n');
      for (const pattern of turn.expect ?? [])
        expect(matches(all, pattern), `${file}: "${turn.user}" expects ${pattern}`).toBe(true);
      for (const pattern of turn.reject ?? [])
        expect(matches(all, pattern), `${file}: "${turn.user}" rejects ${pattern}`).toBe(false);
      if (turn.step)
        expect(
          (await storedSession(runtime.store, `oa:${APPID}:${openId}`))?.stepId,
          `${file}: ${turn.user}`,
        ).toBe(turn.step);
    }
  }
  return { messages, continued };
}

function matches(text: string, pattern: string): boolean {
  const regex = /^\/(.+)\/([imsu]*)$/s.exec(pattern);
  return regex?.[1] ? new RegExp(regex[1], regex[2]).test(text) : text.includes(pattern);
}

async function until(check: () => number, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}

describe('golden transcripts through the webhook', () => {
  it('passive mode, plain: every conversation in both languages, each reply ≤ 2,048 bytes', async () => {
    const { messages, continued } = await replayTranscripts({});
    expect(messages).toBeGreaterThan(50);
    // Some answers are longer than one message: the "继续" / "more" path was taken.
    expect(continued).toBeGreaterThan(0);
  }, 60_000);

  it('passive mode, safe mode (AES): the same, every push and reply encrypted', async () => {
    const { messages, continued } = await replayTranscripts({ encodingAesKey: AES });
    expect(messages).toBeGreaterThan(50);
    expect(continued).toBeGreaterThan(0);
  }, 60_000);

  it('customer-service mode: "success" at once, ≤ 5 messages per user message, one token reused', async () => {
    const api = await fakeApi(APPID, SECRET);
    cleanup.push(() => api.close());
    await replayTranscripts({ mode: 'customer-service' }, api);
    expect(api.sent.length).toBeGreaterThan(50);
    expect(api.tokensIssued).toBe(1);
  }, 60_000);

  it('customer-service mode: an expired token is fetched again and the message still arrives', async () => {
    const api = await fakeApi(APPID, SECRET);
    cleanup.push(() => api.close());
    const { wechat } = await webhook({ mode: 'customer-service' }, api);
    await wechat.text('o-exp', '你好');
    await until(() => api.sent.length);
    const n = api.sent.length;
    api.failNext(42001);
    await wechat.text('o-exp', '不是');
    await until(() => (api.sent.length > n ? 1 : 0));
    expect(api.sent.at(-1)?.content).toContain('这笔钱是怎么付出去的');
    expect(api.tokensIssued).toBe(2);
  }, 20_000);
});

describe('npm run serve (the process)', () => {
  it('listens, answers WeChat URL verification, and exits 0 on SIGTERM; without a token, exit 2', async () => {
    const { spawn } = await import('node:child_process');
    const missing = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
        cwd: ROOT,
        env: { ...process.env, WECHAT_OA_TOKEN: '', DATA_DIR: '/nonexistent' },
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code, err }));
    });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('WECHAT_OA_TOKEN');

    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dataDir = await mkdtemp(`${tmpdir()}/zhuihui-serve-`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      cwd: ROOT,
      env: {
        ...process.env,
        WECHAT_OA_TOKEN: TOKEN,
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      },
    });
    let err = '';
    const listening = new Promise<string>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const url = /"url":"([^"]+)"/.exec(err)?.[1];
        if (url) resolve(url);
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await listening;
    const now = String(Math.floor(Date.now() / 1000));
    const q = new URLSearchParams({
      signature: signature(TOKEN, now, 'n'),
      timestamp: now,
      nonce: 'n',
      echostr: 'e1',
    });
    const response = await fetch(`${url}?${q.toString()}`);
    expect(await response.text()).toBe('e1');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
