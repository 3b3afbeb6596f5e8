import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRANSCRIPT_NOW } from '../src/authoring/transcript.js';
import type { SharedValues } from '../src/core/ports.js';
import { silentLogger } from '../src/log.js';
import { createRuntime } from '../src/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';
import { FLOW_FILE, LOCALES_DIR, SCAM_WALK_ZH } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';
import { servePassiveOa } from './listen-local.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
}, 20_000);
afterAll(async () => {
  await redis.dispose();
});

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

/** The webhook on shared values whose every key is noted, to look at what is left after. */
async function webhook(on: 'memory' | 'redis', workers = 1, readMs = 0) {
  const runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir: '',
    ...(on === 'redis'
      ? { storeUrl: redis.url, storePrefix: 'forget:' }
      : { store: createMemoryStore() }),
    log: silentLogger,
    clock: () => new Date(DEFAULT_TRANSCRIPT_NOW),
    flood: false,
  });
  const keys = new Set<string>();
  const shared: SharedValues = {
    ...runtime.shared,
    // A slow read (a Redis across a network) widens any read-change-write window.
    get: async (key) => {
      if (readMs) await new Promise((resolve) => setTimeout(resolve, readMs));
      return runtime.shared.get(key);
    },
    set: (key, value, ttl) => (keys.add(key), runtime.shared.set(key, value, ttl)),
    claim: (key, value, ttl) => (keys.add(key), runtime.shared.claim(key, value, ttl)),
  };
  const wechats = await Promise.all(
    Array.from({ length: workers }, async () => {
      // Each worker has its own handler (its own memory of replies), as separate processes do.
      const { wechat } = await servePassiveOa(
        { service: runtime.service, translators: runtime.translators, shared },
        cleanup,
        { settings: { path: '/oa' } },
      );
      return wechat;
    }),
  );
  cleanup.push(() => runtime.close());
  const wechat = wechats[0]!;
  /** Every shared value still readable, by key. */
  const left = async () => {
    const out: Record<string, string> = {};
    for (const key of keys) {
      const value = await runtime.shared.get(key);
      if (value !== undefined) out[key] = value;
    }
    return out;
  };
  return { wechat, wechats, left };
}

describe.each(['memory', 'redis'] as const)(
  'forget on the Official Account webhook, shared values in %s (m23)',
  (on) => {
    it('erases the replies kept for WeChat’s retries, in the shared values and in memory', async () => {
      const { wechat, left } = await webhook(on);
      let plan = await wechat.text('o-f', SCAM_WALK_ZH[0], 'm0');
      for (const [i, text] of SCAM_WALK_ZH.slice(1).entries())
        plan = await wechat.text('o-f', text, `m${i + 1}`);
      expect(plan.content).toContain('2,300');
      // Before: the plan's reply is kept for a retry of its message.
      expect(Object.values(await left()).some((v) => v.includes('2,300'))).toBe(true);
      expect((await wechat.text('o-f', '删除我的数据', 'm20')).content).toContain('确认要删除');
      expect((await wechat.text('o-f', '是', 'm21')).content).toContain('已删除');
      const after = await left();
      expect(Object.values(after).filter((v) => /小李客服|2300|2,300/.test(v))).toEqual([]);
      // A retry of the plan's message reaching this process gets nothing of the plan back: no
      // answer at all (the connection is closed after WeChat's 5 s, as for any late reply).
      const retry = await wechat
        .text('o-f', '小李客服', `m${SCAM_WALK_ZH.length - 1}`)
        .catch(() => undefined);
      expect(retry?.content ?? '').not.toContain('2,300');
    }, 30_000);
  },
);

describe('two webhook workers answering one user at once, on Redis (review finding 11)', () => {
  it('forget erases the replies kept by both: neither worker’s key is lost', async () => {
    const { wechats, left } = await webhook('redis', 2, 40);
    const [a, b] = wechats;
    for (let round = 0; round < 8; round++)
      await Promise.all([
        a!.text('o-two', `你好 a${round}`, `a${round}`),
        b!.text('o-two', `你好 b${round}`, `b${round}`),
      ]);
    expect(Object.keys(await left()).filter((k) => k.startsWith('oa-reply:')).length).toBe(16);
    expect((await a!.text('o-two', '删除我的数据', 'f1')).content).toContain('确认要删除');
    expect((await a!.text('o-two', '是', 'f2')).content).toContain('已删除');
    const kept = Object.keys(await left()).filter(
      (k) => k.startsWith('oa-reply:') && !k.endsWith(':f2'),
    );
    expect(kept).toEqual([]);
  }, 60_000);
});
