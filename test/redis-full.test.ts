import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import { silentLogger } from '../src/log.js';
import { createRuntime, DEFAULT_FLOW_FILE, DEFAULT_LOCALES_DIR } from '../src/runtime.js';
import { SCAM_WALK_ZH, storedSession } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';

let server: TestRedis;
let admin: Redis;
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  server = await startRedis(['--maxmemory-policy', 'noeviction']);
  admin = new Redis(server.url, { lazyConnect: true });
  await admin.connect();
}, 20_000);
afterAll(async () => {
  for (const o of open) await o.close();
  admin.disconnect();
  await server.dispose();
});
beforeEach(async () => {
  await admin.config('SET', 'maxmemory', '0');
  await admin.flushall();
});

async function runtime(handoff = false) {
  const r = await createRuntime({
    ...(handoff ? { handoff: { waitMinutes: 10, silenceHours: 12 } } : {}),
    flowFile: DEFAULT_FLOW_FILE,
    localesDir: DEFAULT_LOCALES_DIR,
    dataDir: '/nonexistent',
    storeUrl: server.url,
    storePrefix: 'test:',
    log: silentLogger,
    clock: () => new Date('2026-11-28T04:00:00Z'),
    flood: { messages: 30, windowMs: 10_000 },
  });
  open.push(r);
  return r;
}

/** Redis at maxmemory with noeviction: every write that needs room is refused ("OOM"). */
const fill = () => admin.config('SET', 'maxmemory', '1');

describe('a full Redis (maxmemory + noeviction)', () => {
  it('删除我的数据 + 是 erase the user: erasing needs no room (m22)', async () => {
    const r = await runtime();
    let id = 0;
    const say = async (text: string) =>
      repliesText(
        (await r.service.handle({ userId: 'f', text, channel: 'oa', messageId: String(++id) }))
          .replies,
      );
    for (const text of SCAM_WALK_ZH.slice(0, 9)) await say(text);
    expect((await storedSession(r.store, 'f'))?.facts).toMatchObject({ amount: 2300 });
    await fill();
    // Anything else cannot be saved, and the user is told so.
    expect(await say('小李客服')).toContain('暂时无法保存');
    expect(await say('删除我的数据')).toContain('确认要删除');
    expect(await say('是')).toContain('已删除');
    expect(await admin.keys('test:session:*')).toEqual([]);
    expect(await storedSession(r.store, 'f')).toBeUndefined();
  }, 30_000);

  it('the question held while full is answered by anything but 是: nothing is erased', async () => {
    const r = await runtime();
    for (const text of SCAM_WALK_ZH.slice(0, 9)) await r.service.handle({ userId: 'g', text });
    await fill();
    expect(
      repliesText((await r.service.handle({ userId: 'g', text: '删除我的数据' })).replies),
    ).toContain('确认要删除');
    await admin.config('SET', 'maxmemory', '0');
    expect(repliesText((await r.service.handle({ userId: 'g', text: '不' })).replies)).toContain(
      '没有删除',
    );
    expect((await storedSession(r.store, 'g'))?.facts).toMatchObject({ amount: 2300 });
    // The question was answered: a later 是 is an answer to the conversation, not to it.
    await r.service.handle({ userId: 'g', text: '是' });
    expect(await storedSession(r.store, 'g')).toBeDefined();
  }, 30_000);

  it('the held question survives the handoff timer’s check: 是 still erases a user with a person', async () => {
    const r = await runtime(true);
    const say = async (text: string) =>
      repliesText((await r.service.handle({ userId: 'h', text, channel: 'oa' })).replies);
    for (const text of ['你好', '人工', '是']) await say(text);
    expect((await storedSession(r.store, 'h'))?.handoff?.state).toBe('waiting');
    await fill();
    expect(await say('删除我的数据')).toContain('确认要删除');
    // Every process's 30-s sweep runs operate(expire): nothing is due, nothing written.
    expect(await r.service.operate('h', { type: 'expire' })).toBe('not-due');
    expect(await say('是')).toContain('已删除');
    expect(await storedSession(r.store, 'h')).toBeUndefined();
  }, 30_000);
});
