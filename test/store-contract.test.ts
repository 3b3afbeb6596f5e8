import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConversationService } from '../src/core/conversation.js';
import { repliesText } from '../src/core/replies.js';
import type { SessionStore } from '../src/core/ports.js';
import { silentLogger } from '../src/log.js';
import { createMemoryStore } from '../src/store/memory.js';
import { connectRedis } from '../src/store/redis.js';
import { createSessionFileStore } from '../src/store/session-files.js';
import { loadKit, putSession, sampleSession as session, storedSession } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';

/**
 * Contract v2 (src/core/ports.ts), the same cases on every store: memory, the session files
 * and Redis. Each store also says how to damage a stored value the way its backend can be
 * damaged (a torn file, a foreign tool's HSET), so that "an unreadable value reads as absent
 * and can be overwritten" is proved everywhere (code review repro A: on Redis it was not).
 */
interface Harness {
  store: SessionStore;
  /** Replaces the stored value of `key` with `raw`; returns the store to go on with. */
  damage(key: string, raw: string): Promise<SessionStore>;
}

let redis: TestRedis;
let admin: Redis;
const cleanup: Array<() => Promise<void>> = [];
beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url, { lazyConnect: true });
  await admin.connect();
}, 20_000);
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(async () => {
  admin.disconnect();
  await redis.dispose();
});

const hash = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);

async function memory(): Promise<Harness> {
  const store = createMemoryStore();
  return { store, damage: async (key, raw) => (store.damage(key, raw), store) };
}

async function files(): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'zhuihui-contract-'));
  let store = await createSessionFileStore(dir, silentLogger);
  cleanup.push(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    store,
    // Found at the next start: the running store keeps the good copy in memory.
    damage: async (key, raw) => {
      await store.close();
      const shard = join(dir, 'sessions', hash(key).slice(0, 2));
      for (const name of await readdir(shard))
        if (name.startsWith(hash(key))) await writeFile(join(shard, name), raw);
      store = await createSessionFileStore(dir, silentLogger);
      return store;
    },
  };
}

async function onRedis(): Promise<Harness> {
  const prefix = `c${Math.random().toString(36).slice(2)}:`;
  const backend = await connectRedis({
    url: redis.url,
    prefix,
    retentionMs: 86_400_000,
    flood: false,
    log: silentLogger,
  });
  cleanup.push(() => backend.close());
  return {
    store: backend.store,
    damage: async (key, raw) => {
      const name = `${prefix}session:${hash(key)}`;
      if (raw === 'WRONGTYPE') {
        await admin.del(name);
        await admin.set(name, 'a string where a hash should be');
      } else await admin.hset(name, 'data', raw);
      return backend.store;
    },
  };
}

const DAMAGE: Array<[string, string]> = [
  ['torn JSON', '{"session": {"v": 1, "us'],
  ['null', 'null'],
  ['an array', '[]'],
  ['an empty object', '{}'],
  ['another user’s session', JSON.stringify({ session: session('someone-else') })],
  [
    'a session of an unknown format version',
    JSON.stringify({ session: { ...session('u'), v: 9 } }),
  ],
];

describe.each([
  ['memory', memory],
  ['session files', files],
  ['Redis', onRedis],
])('%s store: contract v2', (name, make) => {
  it('saves, reads back and deletes', async () => {
    const { store } = await make();
    expect(await storedSession(store, 'wxid_a')).toBeUndefined();
    await putSession(store, session('wxid_a'));
    await putSession(store, session('wxid_b', 'ask-date'));
    expect(await storedSession(store, 'wxid_a')).toEqual(session('wxid_a'));
    expect((await storedSession(store, 'wxid_b'))?.stepId).toBe('ask-date');
    await store.delete('wxid_a');
    expect(await storedSession(store, 'wxid_a')).toBeUndefined();
    expect(await storedSession(store, 'wxid_b')).toBeDefined();
  });

  it('writes compare-and-set: a write on a stale revision is reported as a conflict, not applied', async () => {
    const { store } = await make();
    const created = await store.write('wxid_a', session('wxid_a', 'ask-date'), undefined);
    expect(created.ok).toBe(true);
    // "Nothing stored" is a revision too: a second creation conflicts.
    expect(await store.write('wxid_a', session('wxid_a', 'x'), undefined)).toEqual({
      ok: false,
      conflict: true,
    });
    const read = await store.read('wxid_a');
    expect(read?.revision).toBe(created.ok ? created.revision : -1);
    const next = await store.write('wxid_a', session('wxid_a', 'ask-amount'), read?.revision);
    expect(next.ok).toBe(true);
    // The writer that read before `next` loses, and the stored session is next's.
    expect((await store.write('wxid_a', session('wxid_a', 'lost'), read?.revision)).ok).toBe(false);
    expect((await storedSession(store, 'wxid_a'))?.stepId).toBe('ask-amount');
    expect((await store.read('wxid_a'))?.revision).toBe(next.ok ? next.revision : -1);
  });

  it('of two writes racing on one revision, exactly one lands', async () => {
    const { store } = await make();
    await putSession(store, session('wxid_a'));
    const revision = (await store.read('wxid_a'))?.revision;
    const results = await Promise.all(
      ['one', 'two', 'three'].map((step) =>
        store.write('wxid_a', session('wxid_a', step), revision),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it.each([...DAMAGE, ...(name === 'Redis' ? [['a key of the wrong type', 'WRONGTYPE']] : [])])(
    'an unreadable or wrong-shaped value (%s) reads as absent and can be overwritten',
    async (_what, raw) => {
      const harness = await make();
      await putSession(harness.store, session('u'));
      await putSession(harness.store, session('v'));
      const store = await harness.damage('u', raw ?? '');
      expect(await store.read('u')).toBeUndefined();
      const created = await store.write('u', session('u', 'ask-amount'), undefined);
      expect(created.ok).toBe(true);
      expect((await storedSession(store, 'u'))?.stepId).toBe('ask-amount');
      // Nobody else is touched.
      expect(await storedSession(store, 'v')).toEqual(session('v'));
    },
  );

  it('a user whose stored value is unreadable starts afresh, not "please send it again" (repro A)', async () => {
    const kit = await loadKit();
    const harness = await make();
    const first = createConversationService({ engine: kit.engine, store: harness.store });
    await first.handle({ userId: 'alice', text: '你好' });
    const store = await harness.damage('alice', '{not json');
    const service = createConversationService({ engine: kit.engine, store });
    const replies = repliesText((await service.handle({ userId: 'alice', text: '你好' })).replies);
    expect(replies).toContain('追回');
    expect(replies).not.toContain('再发一次');
    expect((await storedSession(store, 'alice'))?.turns).toBe(1);
  });
});

describe('Redis: a value moved aside is still the user’s data', () => {
  it('forget erases the damaged copy too', async () => {
    const harness = await onRedis();
    await putSession(harness.store, session('forget-me'));
    const store = await harness.damage('forget-me', '{not json');
    expect(await store.read('forget-me')).toBeUndefined();
    const before = await admin.keys(`*${hash('forget-me')}*`);
    expect(before.length).toBeGreaterThan(0);
    await store.delete('forget-me');
    expect(await admin.keys(`*${hash('forget-me')}*`)).toEqual([]);
  });
});
