import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actOn, takeNotices, type DeskDeps } from '../src/adapters/handoff/desk.js';
import { createOpenCases } from '../src/adapters/handoff/open-cases.js';
import { createOaHandoff } from '../src/adapters/oa/handoff.js';
import { QUEUE_MAX_ITEMS, QUEUE_TTL_MS } from '../src/core/handoff-bus.js';
import { silentLogger } from '../src/log.js';
import { createRuntime } from '../src/runtime.js';
import { createFileHandoffBus } from '../src/store/handoff-files.js';
import { connectRedisHandoffBus } from '../src/store/handoff-redis.js';
import { FLOW_FILE, LOCALES_DIR } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';

const OPENID = 'o-alice-7f3k';
const USER = `oa:wx1:${OPENID}`;
const SECRET = '我的身份证号是110101199001011234，被骗了两万';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
}, 20_000);
afterAll(() => redis.dispose());
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

let prefixes = 0;

/**
 * The OA webhook's handoff on a real store: files in a temp DATA_DIR, or a real redis-server;
 * the operator desk runs in the same process with no OA sender (as the room's process does),
 * so an operator's words for the user wait in `deliver:oa`. `leftovers()` is everything the
 * handoff store holds, names and contents, as one string.
 */
async function start(on: 'files' | 'redis') {
  let now = Date.parse('2026-12-01T09:00:00Z');
  const clock = () => new Date(now);
  const dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-hforget-'));
  const prefix = `hforget${prefixes++}:`;
  const runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir,
    ...(on === 'redis' ? { storeUrl: redis.url, storePrefix: prefix } : {}),
    log: silentLogger,
    clock,
    flood: false,
    handoff: { waitMinutes: 10, silenceHours: 72 },
  });
  cleanup.push(async () => {
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const handoff = createOaHandoff({
    bus: runtime.handoffBus,
    service: runtime.service,
    api: undefined,
    log: silentLogger,
    clock,
    mode: 'passive',
  });
  const cases = createOpenCases(runtime.handoffBus);
  const desk: DeskDeps = {
    service: runtime.service,
    bus: runtime.handoffBus,
    cases,
    log: silentLogger,
    clock,
    senders: {},
  };
  const say = (text: string) =>
    handoff.service.handle({ userId: USER, text, channel: 'oa', lang: 'zh-CN' });
  async function leftovers(): Promise<string> {
    if (on === 'files') {
      const out: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const name of await readdir(dir).catch(() => [])) {
          const path = join(dir, name);
          out.push(decodeURIComponent(path));
          if ((await stat(path)).isDirectory()) await walk(path);
          else out.push(await readFile(path, 'utf8'));
        }
      };
      await walk(join(dataDir, 'handoff'));
      return out.join('\n');
    }
    const client = new Redis(redis.url);
    try {
      const out: string[] = [];
      for (const key of await client.keys(`${prefix}handoff:*`)) {
        const type = await client.type(key);
        out.push(key);
        if (type === 'list') out.push(...(await client.lrange(key, 0, -1)));
        if (type === 'hash') out.push(JSON.stringify(await client.hgetall(key)));
      }
      return out.join('\n');
    } finally {
      client.disconnect();
    }
  }
  return {
    runtime,
    handoff,
    cases,
    desk,
    say,
    leftovers,
    advanceHours: (h: number) => void (now += h * 3_600_000),
  };
}

describe.each(['files', 'redis'] as const)('forget and the handoff stores (%s)', (on) => {
  it('after an operator’s /done, forget leaves nothing of the user: notices, deliveries, window', async () => {
    const h = await start(on);
    for (const text of ['你好', '人工', '是', SECRET]) await h.say(text);
    // Only the console desk is run here: nobody ever takes the room's notices.
    expect((await takeNotices(h.runtime.handoffBus, 'console')).length).toBeGreaterThan(0);
    const [open] = await h.cases.all();
    expect(open).toBeDefined();
    const done = await actOn(h.desk, open!, { type: 'done', operator: '小李' });
    expect(done.type).toBe('done');
    const before = await h.leftovers();
    expect(before).toContain('110101199001011234');
    expect(before).toContain(OPENID);
    expect((await h.say('删除我的数据')).replies.length).toBeGreaterThan(0);
    expect((await h.say('是')).erased).toBe(true);
    const after = await h.leftovers();
    expect(after).not.toContain('110101199001011234');
    expect(after).not.toContain(OPENID);
    expect(await h.cases.all()).toEqual([]);
  });

  it('forget while the case is open: the desks hear only that a case closed', async () => {
    const h = await start(on);
    for (const text of ['你好', '人工', '是', SECRET, '删除我的数据', '是']) await h.say(text);
    const after = await h.leftovers();
    expect(after).not.toContain('110101199001011234');
    expect(after).not.toContain(OPENID);
    expect(after).toContain('"reason":"forget"');
  });
});

describe.each(['files', 'redis'] as const)('a case whose session is gone (%s)', (on) => {
  it('is closed by the clock’s check, and one not due yet is kept', async () => {
    const h = await start(on);
    for (const text of ['你好', '人工', '是']) await h.say(text);
    await h.handoff.expire();
    expect((await h.cases.all()).map((c) => c.userId)).toEqual([USER]);
    // Retention, a store restarted empty, a forget whose afterTurn failed: the session goes.
    await h.runtime.store.delete(USER);
    await h.handoff.expire();
    expect(await h.cases.all()).toEqual([]);
    // Not re-run by every process's timer: the next check finds nothing to do.
    await h.handoff.expire();
    expect(await h.cases.all()).toEqual([]);
  });
});

describe('the queues’ bounds', () => {
  it('a file queue nobody takes is trimmed on push: the newest 500, none past 2 days', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhuihui-hqueue-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const queue = createFileHandoffBus(dir).queue('notices:room');
    await queue.push('first');
    const at = join(dir, 'queues', 'notices%3Aroom');
    // An item pushed three days ago, as its name says.
    const old = String(Date.now() - QUEUE_TTL_MS - 86_400_000).padStart(15, '0');
    await writeFile(join(at, `${old}-1-abcdef.item`), 'three days old');
    for (let i = 0; i < QUEUE_MAX_ITEMS + 20; i++) await queue.push(`item ${i}`);
    const files = (await readdir(at)).filter((f) => f.endsWith('.item'));
    expect(files.length).toBe(QUEUE_MAX_ITEMS);
    const texts = await Promise.all(files.map((f) => readFile(join(at, f), 'utf8')));
    expect(texts).not.toContain('three days old');
    expect(texts).not.toContain('first');
  }, 60_000);

  it('a file item stranded by a taker that died is removed by a later take', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhuihui-hqueue-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const queue = createFileHandoffBus(dir).queue('deliver:oa');
    await queue.push('fresh');
    const at = join(dir, 'queues', 'deliver%3Aoa');
    const old = String(Date.now() - 3_600_000).padStart(15, '0');
    const stranded = `${old}-1-abcdef.item.4242.a1b2c3.taken`;
    await writeFile(join(at, stranded), 'words nobody will read');
    expect(await queue.take()).toEqual(['fresh']);
    expect(await readdir(at)).toEqual([]);
  });

  it('a Redis queue drops items older than 2 days when taken, however busy it is', async () => {
    const prefix = `hbound${prefixes++}:`;
    const bus = await connectRedisHandoffBus(redis.url, prefix);
    cleanup.push(() => bus.close());
    const client = new Redis(redis.url);
    cleanup.push(async () => void client.disconnect());
    // An item pushed three days ago; steady pushes since kept the list's TTL fresh.
    const old = Date.now() - QUEUE_TTL_MS - 86_400_000;
    await client.rpush(`${prefix}handoff:queue:notices:room`, `${old} three days old`);
    await bus.queue('notices:room').push('fresh');
    expect(await bus.queue('notices:room').take()).toEqual(['fresh']);
  });
});
