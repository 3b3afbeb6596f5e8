import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import { silentLogger } from '../src/log.js';
import { createRuntime, DEFAULT_FLOW_FILE, DEFAULT_LOCALES_DIR } from '../src/runtime.js';
import { ExpectedError } from '../src/shared/errors.js';
import { connectRedis, type RedisBackend } from '../src/store/redis.js';
import { putSession, spawnMain, spawnScript, storedSession } from './helpers.js';
import { SCAM_WALK_ZH, sampleSession } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';

let server: TestRedis;
let admin: Redis;
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url, { lazyConnect: true });
  await admin.connect();
}, 20_000);
afterAll(async () => {
  for (const o of open) await o.close();
  admin.disconnect();
  await server.dispose();
});
beforeEach(async () => {
  await admin.flushall();
});

const session = sampleSession;

async function backend(retentionMs = 90 * 86_400_000): Promise<RedisBackend> {
  const b = await connectRedis({
    url: server.url,
    prefix: 'test:',
    retentionMs,
    flood: { messages: 8, windowMs: 10_000 },
    log: silentLogger,
  });
  open.push(b);
  return b;
}

async function runtime(extra: { flood?: { messages: number; windowMs: number } } = {}) {
  const r = await createRuntime({
    flowFile: DEFAULT_FLOW_FILE,
    localesDir: DEFAULT_LOCALES_DIR,
    dataDir: '/nonexistent',
    storeUrl: server.url,
    storePrefix: 'test:',
    log: silentLogger,
    clock: () => new Date('2026-11-28T04:00:00Z'),
    ...extra,
  });
  open.push(r);
  return r;
}

/** A worker process (test/fixtures/redis-worker.ts) on the test server. */
async function worker(
  users: string[],
  messages: number,
): Promise<{ handled: number; failed: number }> {
  const { code, stdout, stderr } = await spawnScript('test/fixtures/redis-worker.ts', [], {
    STORE_URL: server.url,
    STORE_PREFIX: 'test:',
    USERS: users.join(','),
    MESSAGES: String(messages),
  });
  if (code !== 0) throw new Error(`worker exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    handled: number;
    failed: number;
  };
}

describe('Redis store: contract v2', () => {
  it('reads, writes compare-and-set, deletes and lists', async () => {
    const { store } = await backend();
    expect(await store.read('wxid_a')).toBeUndefined();
    const created = await store.write('wxid_a', session('wxid_a'), undefined);
    expect(created.ok).toBe(true);
    expect(await store.write('wxid_a', session('wxid_a', 'x'), undefined)).toEqual({
      ok: false,
      conflict: true,
    });
    const read = await store.read('wxid_a');
    expect(read?.value).toEqual(session('wxid_a'));
    const next = await store.write('wxid_a', session('wxid_a', 'ask-date'), read?.revision);
    expect(next.ok).toBe(true);
    expect((await store.write('wxid_a', session('wxid_a', 'lost'), read?.revision)).ok).toBe(false);
    expect((await storedSession(store, 'wxid_a'))?.stepId).toBe('ask-date');
    await putSession(store, session('wxid_b'));
    const listed: string[] = [];
    for await (const s of store.list?.() ?? []) listed.push(s.userId);
    expect(listed.sort()).toEqual(['wxid_a', 'wxid_b']);
    await store.delete('wxid_a');
    expect(await store.read('wxid_a')).toBeUndefined();
    // No WeChat id in any key name.
    expect((await admin.keys('*')).join(' ')).not.toContain('wxid');
  });

  it('a writer that read before a forget cannot overwrite the conversation started after it', async () => {
    const { store } = await backend();
    await putSession(store, session('u'));
    const stale = (await store.read('u'))?.revision;
    await store.delete('u');
    await putSession(store, session('u', 'fresh'));
    expect((await store.write('u', session('u', 'stale'), stale)).ok).toBe(false);
    expect((await storedSession(store, 'u'))?.stepId).toBe('fresh');
  });

  it('retention is the TTL, set on every write and renewed by the next', async () => {
    const { store } = await backend(60_000);
    await putSession(store, session('u'));
    const [key] = await admin.keys('test:session:*');
    const first = await admin.pttl(key ?? '');
    expect(first).toBeGreaterThan(50_000);
    expect(first).toBeLessThanOrEqual(60_000);
    await admin.pexpire(key ?? '', 5_000);
    await putSession(store, session('u', 'ask-date'));
    expect(await admin.pttl(key ?? '')).toBeGreaterThan(50_000);
    expect(store.sweep).toBeUndefined();
  });
});

describe('Redis: several processes, one store', () => {
  it('4 processes × 200 messages to one user: every turn counted, none lost or doubled', async () => {
    const results = await Promise.all([0, 1, 2, 3].map(() => worker(['shared-user'], 200)));
    expect(
      results.reduce((n, r) => n + r.handled, 0),
      JSON.stringify(results),
    ).toBe(800);
    const { store } = await backend();
    expect((await storedSession(store, 'shared-user'))?.turns).toBe(800);
  }, 60_000);

  it('4 processes × 1,000 users: each user has exactly the 4 messages sent', async () => {
    const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
    const results = await Promise.all([0, 1, 2, 3].map(() => worker(users, 1)));
    expect(results.reduce((n, r) => n + r.handled, 0)).toBe(4000);
    const { store } = await backend();
    const turns = new Map<string, number>();
    for await (const s of store.list?.() ?? []) turns.set(s.userId, s.turns ?? 0);
    expect(turns.size).toBe(1000);
    expect([...turns.values()].every((t) => t === 4)).toBe(true);
  }, 60_000);

  it('the flood limit and message-id deduplication are shared between processes', async () => {
    const [a, b] = [await runtime(), await runtime()];
    for (let i = 0; i < 8; i++)
      expect(await (i % 2 ? a : b).service.handle({ userId: 'f', text: '帮助' })).not.toEqual([]);
    expect(repliesText((await a.service.handle({ userId: 'f', text: '帮助' })).replies)).toContain(
      '慢一点',
    );
    expect((await b.service.handle({ userId: 'f', text: '帮助' })).replies).toEqual([]);
    const retried = { userId: 'oa:x', text: '你好', channel: 'oa', messageId: '42' };
    expect((await a.service.handle(retried)).replies).not.toEqual([]);
    expect((await b.service.handle(retried)).replies).toEqual([]);
  });
});

describe('Redis failures are clean', () => {
  it('Redis down at start: an ExpectedError naming the server, without the password', async () => {
    const error = await createRuntime({
      flowFile: DEFAULT_FLOW_FILE,
      localesDir: DEFAULT_LOCALES_DIR,
      dataDir: '/nonexistent',
      storeUrl: 'redis://:s3cret@127.0.0.1:1/0',
      log: silentLogger,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpectedError);
    expect(String(error)).toContain('127.0.0.1:1');
    expect(String(error)).not.toContain('s3cret');
  });

  it('a port that accepts and never answers: an ExpectedError (exit 2) within the bound (m24)', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const error = await connectRedis({
        url: `redis://127.0.0.1:${port}/0`,
        prefix: 'test:',
        retentionMs: 1000,
        flood: false,
        log: silentLogger,
        connectTimeoutMs: 500,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExpectedError);
      expect(String(error)).toContain(`127.0.0.1:${port}`);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('Redis lost while running: "try again in a moment", nothing corrupted, service resumes by itself', async () => {
    const r = await runtime();
    await r.service.handle({ userId: 'r', text: '你好' });
    await r.service.handle({ userId: 'r', text: '不是' });
    await server.stop();
    try {
      const replies = repliesText((await r.service.handle({ userId: 'r', text: '1' })).replies);
      expect(replies).toContain('稍等');
    } finally {
      await server.start();
    }
    // ioredis reconnects by itself; the user's next message is served on the intact session.
    let replies = '';
    for (let i = 0; i < 50 && !replies.includes('付款之后'); i++) {
      replies = repliesText((await r.service.handle({ userId: 'r', text: '1' })).replies);
      if (!replies.includes('付款之后')) await new Promise((res) => setTimeout(res, 100));
    }
    expect(replies).toContain('付款之后');
    expect((await storedSession(r.store, 'r'))?.stepId).toBe('screen-offer');
  }, 30_000);
});

describe('Redis from the command line', () => {
  it('`flow stats` counts the sessions in Redis; a bad STORE_URL stops with exit 2', async () => {
    const r = await runtime();
    await r.service.handle({ userId: 's1', text: '你好' });
    await r.service.handle({ userId: 's2', text: 'hello' });
    const stats = await spawnMain(['flow', 'stats'], {
      STORE_URL: server.url,
      STORE_PREFIX: 'test:',
    });
    expect(stats.code).toBe(0);
    expect(stats.stdout).toContain('2 conversations');
    const bad = await spawnMain(['flow', 'stats'], { STORE_URL: 'http://example.com' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('STORE_URL');
  }, 30_000);
});

describe('the Official Account webhook on several workers sharing Redis', () => {
  it('"继续" reaching another worker gets the next part; a retry reaching another worker gets the same reply', async () => {
    const { createOaHandler, listen } = await import('../src/adapters/oa/server.js');
    const { fakeWeChat } = await import('./wechat-fake.js');
    const token = 'zhuihuiToken1';
    const worker = async () => {
      // A whole conversation typed faster than a person types; the gate has its own test.
      const r = await runtime({ flood: { messages: 30, windowMs: 10_000 } });
      const server = await listen(
        createOaHandler({
          service: r.service,
          translators: r.translators,
          shared: r.shared,
          settings: {
            token,
            appId: 'wxapp',
            encodingAesKey: undefined,
            mode: 'passive',
            path: '/wechat/oa',
          },
          log: silentLogger,
        }),
        0,
        '127.0.0.1',
      );
      open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      return fakeWeChat({ url: `http://127.0.0.1:${port}/wechat/oa`, token, appId: 'wxapp' });
    };
    const [a, b] = [await worker(), await worker()];
    const { store } = await runtime();
    // The scam transcript's way to its plan: longer than one passive message.
    const script = SCAM_WALK_ZH;
    let first = await a.text('o-1', script[0] ?? '', 'm0');
    for (const [i, text] of script.slice(1).entries())
      first = await a.text('o-1', text, `m${i + 1}`);
    expect(first.content).toMatch(/回复「继续」查看/);
    const turnsBefore = (await storedSession(store, 'oa:wxapp:o-1'))?.turns;
    const next = await b.text('o-1', '继续', 'm10');
    // The next part of the plan, not an answer read by the conversation.
    expect(next.content).toBeDefined();
    expect(next.content).not.toBe(first.content);
    expect((await storedSession(store, 'oa:wxapp:o-1'))?.turns).toBe(turnsBefore);
    expect(`${first.content ?? ''}${next.content ?? ''}`).toContain('微信投诉内容');
    // WeChat retries the last message (m9) at worker B: the same reply, and the conversation runs once.
    const before = (await storedSession(store, 'oa:wxapp:o-1'))?.turns;
    const again = await b.text('o-1', '小李客服', 'm9');
    expect(again.content).toBe(first.content);
    expect((await storedSession(store, 'oa:wxapp:o-1'))?.turns).toBe(before);
  }, 30_000);
});
