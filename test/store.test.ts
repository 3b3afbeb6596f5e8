import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../src/core/session.js';
import { silentLogger } from '../src/log.js';
import { createLowdbStore } from '../src/store/lowdb.js';
import { createMemoryStore } from '../src/store/memory.js';
import { createConversationService } from '../src/core/conversation.js';
import { loadKit, sessionFiles } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhuihui-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const session = (userId: string, stepId = 'payment-kind'): Session => ({
  v: 1,
  userId,
  lang: 'zh-CN',
  flowId: 'reward-code-recovery',
  flowHash: 'h',
  stepId,
  facts: { amount: 500 },
  history: [],
  failures: 0,
  createdAt: '2026-11-28T00:00:00.000Z',
  updatedAt: '2026-11-28T00:00:00.000Z',
});

describe.each([
  ['lowdb', () => createLowdbStore(dir, silentLogger)],
  ['memory', async () => createMemoryStore()],
])('%s store', (_name, make) => {
  it('saves, reads back and deletes', async () => {
    const store = await make();
    expect(await store.get('wxid_a')).toBeUndefined();
    await store.set(session('wxid_a'));
    await store.set(session('wxid_b', 'ask-date'));
    expect(await store.get('wxid_a')).toEqual(session('wxid_a'));
    expect((await store.get('wxid_b'))?.stepId).toBe('ask-date');
    await store.delete('wxid_a');
    expect(await store.get('wxid_a')).toBeUndefined();
    expect(await store.get('wxid_b')).toBeDefined();
  });
});

describe('lowdb store on disk', () => {
  it('survives a new store instance (a restart)', async () => {
    await (await createLowdbStore(dir, silentLogger)).set(session('wxid_a'));
    expect(await (await createLowdbStore(dir, silentLogger)).get('wxid_a')).toEqual(
      session('wxid_a'),
    );
  });

  it('keeps the data private: directories 0700, files 0600, names without user ids', async () => {
    const store = await createLowdbStore(dir, silentLogger);
    await store.set(session('wxid_secret'));
    expect((await stat(dir)).mode & 0o077).toBe(0);
    expect((await stat(join(dir, 'sessions'))).mode & 0o077).toBe(0);
    const files = await sessionFiles(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toContain('wxid');
    expect((await stat(files[0] ?? '')).mode & 0o777).toBe(0o600);
    expect((await stat(join(files[0] ?? '', '..'))).mode & 0o077).toBe(0);
  });

  it('moves a corrupt file aside, starts that user fresh and loses no one else', async () => {
    const store = await createLowdbStore(dir, silentLogger);
    await store.set(session('wxid_a'));
    await store.set(session('wxid_b'));
    // Truncate one user's file, as a full disk or a foreign tool might leave it.
    for (const file of await sessionFiles(dir)) {
      if ((await readFile(file, 'utf8')).includes('"wxid_a"'))
        await writeFile(file, '{"session": {"v": 1, "us');
    }
    // Found at the next start (the running store still has the good copy in memory).
    const restarted = await createLowdbStore(dir, silentLogger);
    expect(await restarted.get('wxid_a')).toBeUndefined();
    expect(await restarted.get('wxid_b')).toEqual(session('wxid_b'));
    expect((await sessionFiles(dir)).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    await restarted.set(session('wxid_a', 'ask-amount'));
    expect((await restarted.get('wxid_a'))?.stepId).toBe('ask-amount');
    // forget removes the user's corrupt copy too: everything stored about them.
    await restarted.delete('wxid_a');
    expect(await sessionFiles(dir)).toHaveLength(1);
  });

  it('falls back to the previous version when the newest is torn, as a kill mid-write leaves it', async () => {
    const store = await createLowdbStore(dir, silentLogger);
    await store.set(session('wxid_a', 'ask-date'));
    const [file] = await sessionFiles(dir);
    const torn = (file ?? '').replace(/\.(\d+)\.json$/, (_, v: string) => `.${Number(v) + 1}.json`);
    await writeFile(torn, '{"session": {"v": 1, "userId": "wxid_a", "step');
    const restarted = await createLowdbStore(dir, silentLogger);
    expect((await restarted.get('wxid_a'))?.stepId).toBe('ask-date');
    expect((await sessionFiles(dir)).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    await restarted.set(session('wxid_a', 'ask-amount'));
    expect((await createLowdbStore(dir, silentLogger).then((s) => s.get('wxid_a')))?.stepId).toBe(
      'ask-amount',
    );
  });

  it('a file left by a failed write (full disk) does not lock the user out of the running store', async () => {
    const store = await createLowdbStore(dir, silentLogger);
    await store.set(session('wxid_a', 'ask-date'));
    const [file] = await sessionFiles(dir);
    // What ENOSPC used to leave: an empty next version the in-memory index does not know of.
    const stale = (file ?? '').replace(
      /\.(\d+)\.json$/,
      (_, v: string) => `.${Number(v) + 1}.json`,
    );
    await writeFile(stale, '');
    await store.set(session('wxid_a', 'ask-amount'));
    expect((await store.get('wxid_a'))?.stepId).toBe('ask-amount');
    const restarted = await createLowdbStore(dir, silentLogger);
    expect((await restarted.get('wxid_a'))?.stepId).toBe('ask-amount');
    expect((await sessionFiles(dir)).filter((f) => !f.includes('.corrupt-'))).toHaveLength(1);
  });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['an empty object', '{}'],
    ['a number', '42'],
    ['a session of the wrong shape', '{"session":{"v":1}}'],
    [
      "another user's session",
      '{"session":{"v":1,"userId":"wxid_other","stepId":"welcome","facts":{},"history":[]}}',
    ],
  ])(
    'treats %s as the newest version like a torn file: moved aside, the one before used',
    async (_, text) => {
      const store = await createLowdbStore(dir, silentLogger);
      await store.set(session('wxid_a', 'ask-date'));
      const [file] = await sessionFiles(dir);
      await writeFile(
        (file ?? '').replace(/\.(\d+)\.json$/, (_m, v: string) => `.${Number(v) + 1}.json`),
        text,
      );
      const restarted = await createLowdbStore(dir, silentLogger);
      expect((await restarted.get('wxid_a'))?.stepId).toBe('ask-date');
      expect((await sessionFiles(dir)).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    },
  );

  it('reads a file with a byte-order mark, and an unknown language falls back to the default', async () => {
    const store = await createLowdbStore(dir, silentLogger);
    await store.set(session('wxid_a', 'ask-date'));
    const [file] = await sessionFiles(dir);
    const json = await readFile(file ?? '', 'utf8');
    await writeFile(file ?? '', `\uFEFF${json.replace('"zh-CN"', '"xx"')}`);
    const restarted = await createLowdbStore(dir, silentLogger);
    const read = await restarted.get('wxid_a');
    expect(read?.stepId).toBe('ask-date');
    expect(read?.lang).toBe('zh-CN');
  });

  it('fsync mode writes the same data', async () => {
    const store = await createLowdbStore(dir, silentLogger, { fsync: true });
    await store.set(session('wxid_a'));
    expect(await store.get('wxid_a')).toEqual(session('wxid_a'));
  });

  it('sweep deletes sessions idle since before the cut-off, and only those', async () => {
    const store = await createLowdbStore(dir, silentLogger);
    await store.set(session('old'));
    await store.set(session('new'));
    for (const file of await sessionFiles(dir)) {
      if ((await readFile(file, 'utf8')).includes('"old"'))
        await utimes(file, new Date('2026-01-01'), new Date('2026-01-01'));
    }
    expect(await store.sweep(new Date('2026-06-01'))).toBe(1);
    expect(await store.get('old')).toBeUndefined();
    expect(await store.get('new')).toBeDefined();
  });

  it('sweep also removes damaged copies idle since before the cut-off', async () => {
    const store = await createLowdbStore(dir, silentLogger);
    await store.set(session('old'));
    const [file] = await sessionFiles(dir);
    const aside = `${file ?? ''}.corrupt-1`;
    await writeFile(aside, '{"session": {"userId": "old", "recipient": "张三');
    await utimes(aside, new Date('2026-01-01'), new Date('2026-01-01'));
    await store.sweep(new Date('2026-06-01'));
    expect((await sessionFiles(dir)).filter((f) => f.includes('.corrupt-'))).toEqual([]);
  });

  it('forget erases a user whose only version is damaged, without starting a conversation', async () => {
    const kit = await loadKit();
    const store = await createLowdbStore(dir, silentLogger);
    const service = createConversationService(kit.engine, store, () => new Date(), false);
    await service.handle({ userId: 'wxid_b', text: '你好' });
    const [file] = await sessionFiles(dir);
    await writeFile(file ?? '', '{"session": {"v": 1, "userId": "wxid_b", "reci');
    const fresh = await createLowdbStore(dir, silentLogger);
    const service2 = createConversationService(kit.engine, fresh, () => new Date(), false);
    expect((await service2.handle({ userId: 'wxid_b', text: '删除我的数据' })).join('')).toContain(
      '已删除',
    );
    expect(await sessionFiles(dir)).toEqual([]);
  });

  it("forget through the conversation removes the user's file", async () => {
    const kit = await loadKit();
    const store = await createLowdbStore(dir, silentLogger);
    const service = createConversationService(
      kit.engine,
      store,
      () => new Date('2026-11-28T04:00:00Z'),
    );
    await service.handle({ userId: 'wxid_a', text: '你好' });
    await service.handle({ userId: 'wxid_b', text: 'hi' });
    expect(await sessionFiles(dir)).toHaveLength(2);
    await service.handle({ userId: 'wxid_a', text: '删除我的数据' });
    expect((await service.handle({ userId: 'wxid_a', text: '是' })).join()).toContain('已删除');
    expect(await sessionFiles(dir)).toHaveLength(1);
    expect(await store.get('wxid_a')).toBeUndefined();
  });
});

describe('conversation service', () => {
  it("processes one user's messages strictly in order, and users independently", async () => {
    const kit = await loadKit();
    const store = createMemoryStore();
    const service = createConversationService(
      kit.engine,
      store,
      () => new Date('2026-11-28T04:00:00Z'),
    );
    // Fired without awaiting: each must see the session the previous one saved.
    const a = ['你好', '不是', '1', '2', '昨天', '500', '跳过'].map((text) =>
      service.handle({ userId: 'a', text }),
    );
    const b = ['hello', 'no', '1'].map((text) => service.handle({ userId: 'b', text }));
    await Promise.all([...a, ...b]);
    expect((await store.get('a'))?.stepId).toBe('ask-can-reach');
    expect((await store.get('a'))?.facts.amount).toBe(500);
    expect((await store.get('b'))?.stepId).toBe('what-happened');
    expect((await store.get('b'))?.lang).toBe('en');
  });
});
