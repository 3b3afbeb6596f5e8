import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOaApi } from '../src/adapters/oa/api.js';
import type { OaSettings } from '../src/adapters/oa/server.js';
import { silentLogger } from '../src/log.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { FLOW_FILE, LOCALES_DIR } from './helpers.js';
import { OA_APPID as APPID, servePassiveOa } from './listen-local.js';
import { startRedis, type TestRedis } from './redis-server.js';
import { fakeApi, type FakeApi } from './wechat-fake.js';

/**
 * Redis going away under `npm run serve` (newcomer F1: the first message after Redis stopped
 * got HTTP 500 and the process died of an unhandled rejection from the outbox). Two webhook
 * workers on one real redis-server, which is stopped mid-conversation and started again.
 */
const SECRET = 'appsecret-test';
const UNAVAILABLE = '抱歉，现在暂时无法保存我们的对话，这条消息没有处理。请稍等一会儿再发一次。';

let redis: TestRedis;
const cleanup: Array<() => Promise<void>> = [];
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

beforeAll(async () => {
  redis = await startRedis();
  process.on('unhandledRejection', onRejection);
}, 20_000);
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await redis.dispose();
});

async function worker(prefix: string, settings: Partial<OaSettings>, api?: FakeApi) {
  const runtime: Runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir: '/nonexistent',
    storeUrl: redis.url,
    storePrefix: prefix,
    log: silentLogger,
    flood: false,
  });
  cleanup.push(() => runtime.close());
  const { wechat } = await servePassiveOa(runtime, cleanup, {
    settings,
    ...(api
      ? { api: createOaApi({ base: api.base, appId: APPID, appSecret: SECRET, log: silentLogger }) }
      : {}),
  });
  return wechat;
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Redis lost and back under the webhook, two workers', () => {
  it('passive: each user hears "send that again in a moment", then the service resumes by itself', async () => {
    const [a, b] = [await worker('p:', {}), await worker('p:', {})];
    if (!a || !b) throw new Error('no workers');
    expect((await a.text('o-1', '你好')).content).toContain('追回');
    expect((await b.text('o-2', '你好')).content).toContain('追回');
    // The next answer lands on the other worker: they share the conversation.
    expect((await b.text('o-1', '不是')).content).toContain('这笔钱是怎么付出去的');

    await redis.stop();
    for (const [wechat, user] of [
      [a, 'o-1'],
      [b, 'o-2'],
      [b, 'o-1'],
      [a, 'o-2'],
    ] as const) {
      const r = await wechat.text(user, '1');
      expect(r.status).toBe(200);
      expect(r.content).toBe(UNAVAILABLE);
    }
    // "继续" reads the outbox, also in Redis.
    expect((await a.text('o-1', '继续')).content).toBe(UNAVAILABLE);

    await redis.start();
    // Reconnected by itself; the answer sent again is read against the same question.
    const back = await until(async () => {
      const r = await a.text('o-1', '1');
      return r.content === UNAVAILABLE ? undefined : r;
    });
    expect(back.status).toBe(200);
    expect(back.content).not.toContain('这笔钱是怎么付出去的');
    expect((await b.text('o-2', '不是')).content).toContain('这笔钱是怎么付出去的');
    expect(rejections).toEqual([]);
  }, 40_000);

  it('customer-service: the same, the apology sent through the API', async () => {
    const api = await fakeApi(APPID, SECRET);
    cleanup.push(() => api.close());
    const a = await worker('cs:', { mode: 'customer-service' }, api);
    const b = await worker('cs:', { mode: 'customer-service' }, api);
    const apologised = (user: string) =>
      until(() =>
        api.sent.some((s) => s.touser === user && s.content === UNAVAILABLE) ? true : undefined,
      );
    await a.text('c-1', '你好');
    await until(() => (api.sent.some((s) => s.touser === 'c-1') ? true : undefined));

    await redis.stop();
    const r = await b.text('c-1', '不是');
    expect(r.status).toBe(200);
    expect(await apologised('c-1')).toBe(true);
    expect((await a.text('c-2', '你好')).status).toBe(200);
    expect(await apologised('c-2')).toBe(true);

    await redis.start();
    await until(async () => {
      const before = api.sent.length;
      await b.text('c-1', '不是');
      const last = await until(() => (api.sent.length > before ? api.sent.at(-1) : undefined));
      return last.content === UNAVAILABLE ? undefined : last;
    });
    expect(api.sent.at(-1)?.content).toContain('这笔钱是怎么付出去的');
    expect(rejections).toEqual([]);
  }, 40_000);
});
