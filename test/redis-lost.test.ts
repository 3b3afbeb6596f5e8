import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import { silentLogger } from '../src/log.js';
import { createRuntime, DEFAULT_FLOW_FILE, DEFAULT_LOCALES_DIR } from '../src/runtime.js';
import { SCAM_WALK_ZH, storedSession } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';

let server: TestRedis;
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  // No persistence at all: a restart comes back empty.
  server = await startRedis(['--appendonly', 'no']);
}, 20_000);
afterAll(async () => {
  for (const o of open) await o.close();
  await server.dispose();
});

async function runtime() {
  const r = await createRuntime({
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

const LOST = '之前的对话没能留下来';

describe('a Redis restarted empty (red-team m25)', () => {
  it('a user in the middle of a conversation is told it was lost; nobody else is', async () => {
    const r = await runtime();
    const say = async (userId: string, text: string) =>
      repliesText((await r.service.handle({ userId, text })).replies);
    // "a" is at ask-date; "b" asked to forget; "c" has never written.
    for (const text of SCAM_WALK_ZH.slice(0, 7)) await say('a', text);
    expect((await storedSession(r.store, 'a'))?.stepId).toBe('ask-date');
    await say('b', '你好');
    await say('b', '删除我的数据');
    expect(await say('b', '是')).toContain('已删除');
    await server.stop();
    await server.start();
    // ioredis reconnects by itself.
    let first = '';
    for (let i = 0; i < 50; i++) {
      first = await say('a', '昨天');
      if (!first.includes('稍等')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(first).toContain(LOST);
    expect(first).toContain('你好，我是「追回」助手');
    // Told once: the new conversation goes on without the notice.
    expect(await say('a', '没有')).not.toContain(LOST);
    expect(await say('b', '你好')).not.toContain(LOST);
    expect(await say('c', '你好')).not.toContain(LOST);
  }, 30_000);

  it('with the data kept (AOF), a restart is no loss and tells nobody anything', async () => {
    const kept = await startRedis();
    try {
      const r = await createRuntime({
        flowFile: DEFAULT_FLOW_FILE,
        localesDir: DEFAULT_LOCALES_DIR,
        dataDir: '/nonexistent',
        storeUrl: kept.url,
        storePrefix: 'test:',
        log: silentLogger,
        clock: () => new Date('2026-11-28T04:00:00Z'),
        flood: false,
      });
      open.push(r);
      for (const text of SCAM_WALK_ZH.slice(0, 7)) await r.service.handle({ userId: 'a', text });
      await kept.stop();
      await kept.start();
      let reply = '';
      for (let i = 0; i < 50; i++) {
        reply = repliesText((await r.service.handle({ userId: 'a', text: '昨天' })).replies);
        if (!reply.includes('稍等')) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(reply).not.toContain(LOST);
      expect((await storedSession(r.store, 'a'))?.facts).toHaveProperty('paidOn');
    } finally {
      await kept.dispose();
    }
  }, 30_000);
});
