import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signature } from '../src/adapters/oa/crypto.js';
import { buildXml, parseXml } from '../src/adapters/oa/xml.js';
import type { SessionStore } from '../src/core/ports.js';
import { silentLogger } from '../src/log.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { UnavailableError } from '../src/shared/errors.js';
import { createMemoryStore } from '../src/store/memory.js';
import { connectRedis } from '../src/store/redis.js';
import { FLOW_FILE, LOCALES_DIR, putSession, sampleSession, storedSession } from './helpers.js';
import { OA_APPID as APPID, OA_TOKEN as TOKEN, servePassiveOa } from './listen-local.js';
import { startRedis, type TestRedis } from './redis-server.js';

/**
 * A stalled store never commits a turn whose reply nobody saw (red-team M9): Redis commands
 * time out, a session write that reaches Redis after its deadline is refused by Redis, and a
 * webhook reply not ready within WeChat's 5 s is kept for WeChat's retry of that MsgId.
 */
const UNAVAILABLE = '抱歉，现在暂时无法保存我们的对话，这条消息没有处理。请稍等一会儿再发一次。';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redis: TestRedis;
const cleanup: Array<() => Promise<void>> = [];
beforeAll(async () => {
  redis = await startRedis();
}, 20_000);
afterEach(async () => {
  redis.signal('SIGCONT');
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(async () => {
  await redis.dispose();
});

async function webhook(options: { storeUrl?: string; store?: SessionStore }) {
  const runtime: Runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir: '/nonexistent',
    ...(options.storeUrl ? { storeUrl: options.storeUrl, storePrefix: 'stall:' } : {}),
    ...(options.store ? { store: options.store } : {}),
    log: silentLogger,
    flood: false,
  });
  cleanup.push(() => runtime.close());
  const { url } = await servePassiveOa(runtime, cleanup, { settings: { path: '/oa' } });
  return { runtime, url };
}

let msgId = 8_000_000;
/**
 * One user message as WeChat delivers it: each attempt cut at 5 s, then the same request sent
 * again, 3 attempts in all. Resolves with each attempt's reply (undefined: cut or "success").
 */
async function deliver(url: string, openId: string, content: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(6).toString('hex');
  const query = new URLSearchParams({
    timestamp,
    nonce,
    signature: signature(TOKEN, timestamp, nonce),
  });
  const body = buildXml({
    ToUserName: 'gh_fake',
    FromUserName: openId,
    CreateTime: Number(timestamp),
    MsgType: 'text',
    Content: content,
    MsgId: String(msgId++),
  });
  const attempts: Array<string | undefined> = [];
  for (let i = 0; i < 3; i++) {
    const reply = await fetch(`${url}?${query.toString()}`, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(5_000),
    })
      .then(async (r) => parseXml(await r.text())?.Content)
      .catch(() => undefined);
    attempts.push(reply);
    if (reply !== undefined) break;
  }
  return attempts;
}

describe('a stalled Redis (SIGSTOP)', () => {
  it('a session write that reaches Redis after its deadline is refused: nothing committed late', async () => {
    const backend = await connectRedis({
      url: redis.url,
      prefix: 'late:',
      retentionMs: 86_400_000,
      flood: false,
      log: silentLogger,
      commandTimeoutMs: 300,
    });
    cleanup.push(() => backend.close());
    const { store } = backend;
    await putSession(store, sampleSession('u', 'payment-kind'));
    const read = await store.read('u');
    redis.signal('SIGSTOP');
    const late = await store
      .write('u', sampleSession('u', 'what-happened'), read?.revision)
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(UnavailableError);
    await sleep(500);
    redis.signal('SIGCONT');
    // The write waiting in Redis's socket runs now, past its deadline, and changes nothing.
    let step: string | undefined;
    for (let i = 0; i < 50; i++) {
      step = await storedSession(store, 'u')
        .then((s) => s?.stepId)
        .catch(() => undefined);
      if (step) break;
      await sleep(50);
    }
    expect(step).toBe('payment-kind');
  }, 20_000);

  it('through the webhook, with WeChat’s 3 × 5 s retries: the reply the user sees matches what was committed', async () => {
    const { runtime, url } = await webhook({ storeUrl: redis.url });
    expect((await deliver(url, 'o-stall', '你好')).at(-1)).toContain('追回');
    const before = await storedSession(runtime.store, `oa:${APPID}:o-stall`);
    redis.signal('SIGSTOP');
    const stalled = deliver(url, 'o-stall', '不是');
    setTimeout(() => redis.signal('SIGCONT'), 8_000).unref();
    const attempts = await stalled;
    const seen = attempts.find((a) => a !== undefined);
    expect(seen).toBe(UNAVAILABLE);
    await sleep(8_500 - 0);
    // Nothing the user did not see was committed: the same question is still open.
    const after = await storedSession(runtime.store, `oa:${APPID}:o-stall`);
    expect(after?.stepId).toBe(before?.stepId);
    expect(after?.turns).toBe(before?.turns);
    // And the answer sent again is read against that question.
    expect((await deliver(url, 'o-stall', '不是')).at(-1)).toContain('这笔钱是怎么付出去的');
  }, 40_000);
});

describe('a reply later than WeChat’s 5 s', () => {
  it('is kept for WeChat’s retry of that MsgId, and the turn runs once', async () => {
    const memory = createMemoryStore();
    let slow = false;
    const store: SessionStore = {
      ...memory,
      read: (key) => memory.read(key),
      delete: (key) => memory.delete(key),
      write: async (key, value, expected) => {
        if (slow) await sleep(6_000);
        return memory.write(key, value, expected);
      },
    };
    const { url } = await webhook({ store });
    expect((await deliver(url, 'o-slow', '你好')).at(-1)).toContain('追回');
    slow = true;
    const attempts = await deliver(url, 'o-slow', '不是');
    // The first attempt got no answer (WeChat retries); the retry got the real reply.
    expect(attempts[0]).toBeUndefined();
    expect(attempts.find((a) => a !== undefined)).toContain('这笔钱是怎么付出去的');
    expect((await storedSession(memory, 'oa:' + APPID + ':o-slow'))?.turns).toBe(2);
  }, 30_000);
});
