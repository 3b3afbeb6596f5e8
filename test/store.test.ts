import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import type { Session } from '../src/core/session.js';
import { silentLogger } from '../src/log.js';
import {
  createSessionFileStore,
  type SessionFileStoreOptions,
} from '../src/store/session-files.js';
import { createMemoryStore } from '../src/store/memory.js';
import { LOCK_FILE } from '../src/store/dir-lock.js';
import { ExpectedError } from '../src/shared/errors.js';
import { createConversationService } from '../src/core/conversation.js';
import { loadKit, putSession, sessionFiles, storedSession } from './helpers.js';
import { sampleSession } from './helpers.js';

let dir: string;
let opened: Array<{ close(): Promise<void> }> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhuihui-store-'));
});
afterEach(async () => {
  for (const store of opened) await store.close();
  opened = [];
  await rm(dir, { recursive: true, force: true });
});

/**
 * Opens the file store as a (re)started process would: whatever store this test opened before
 * is closed first, as its process would be gone (one process owns a data directory).
 */
async function openStore(dataDir: string, log = silentLogger, options?: SessionFileStoreOptions) {
  for (const store of opened) await store.close();
  const store = await createSessionFileStore(dataDir, log, options);
  opened = [store];
  return store;
}

const session = sampleSession;

// The cases every store shares (memory, files, Redis) are in store-contract.test.ts.

describe('session file store on disk', () => {
  it('survives a new store instance (a restart)', async () => {
    await putSession(await openStore(dir, silentLogger), session('wxid_a'));
    expect(await storedSession(await openStore(dir, silentLogger), 'wxid_a')).toEqual(
      session('wxid_a'),
    );
  });

  it('keeps the data private: directories it creates 0700, files 0600, names without user ids', async () => {
    const nested = join(dir, 'a', 'b');
    const store = await openStore(nested, silentLogger);
    await putSession(store, session('wxid_secret'));
    for (const d of [join(dir, 'a'), nested, join(nested, 'sessions')])
      expect((await stat(d)).mode & 0o077).toBe(0);
    const files = await sessionFiles(nested);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toContain('wxid');
    expect((await stat(files[0] ?? '')).mode & 0o777).toBe(0o600);
    expect((await stat(join(files[0] ?? '', '..'))).mode & 0o077).toBe(0);
  });

  it("leaves an existing DATA_DIR's mode alone, and never follows a link to change another one (red-team m5)", async () => {
    const shared = join(dir, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await symlink(shared, join(dir, 'link'));
    const store = await openStore(join(dir, 'link'), silentLogger);
    await putSession(store, session('wxid_a'));
    expect((await stat(shared)).mode & 0o7777).toBe(0o1777);
    // What zhuihui created inside is private.
    expect((await stat(join(shared, 'sessions'))).mode & 0o077).toBe(0);
  });

  it('does not write through a shard directory replaced by a link (red-team m15)', async () => {
    const store = await openStore(dir, silentLogger);
    await putSession(store, session('wxid_a'));
    const [file] = await sessionFiles(dir);
    const shard = join(file ?? '', '..');
    const outside = join(dir, 'outside');
    await mkdir(outside);
    await rm(shard, { recursive: true });
    await symlink(outside, shard);
    const restarted = await openStore(dir, silentLogger);
    await expect(putSession(restarted, session('wxid_a', 'ask-date'))).rejects.toThrow(/link/);
    expect(await readdir(outside)).toEqual([]);
  });

  it("refuses a second process on the same data directory, naming the lock; a dead owner's lock is taken over (red-team m2)", async () => {
    const first = await createSessionFileStore(dir, silentLogger);
    opened.push(first);
    const refused = createSessionFileStore(dir, silentLogger);
    await expect(refused).rejects.toBeInstanceOf(ExpectedError);
    await expect(refused).rejects.toThrow(join(dir, LOCK_FILE));
    await first.close();
    // A lock left by a process that died (kill -9): pid 2^22 + 1 is above Linux's pid_max.
    await writeFile(join(dir, LOCK_FILE), '4194305\n');
    const next = await openStore(dir, silentLogger);
    await putSession(next, session('wxid_a'));
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    await next.close();
    await expect(stat(join(dir, LOCK_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('a read-only store (flow stats) reads beside the owner, without the lock', async () => {
    const owner = await openStore(dir, silentLogger);
    await putSession(owner, session('wxid_a'));
    const reader = await createSessionFileStore(dir, silentLogger, { readOnly: true });
    const all = [];
    for await (const s of reader.list()) all.push(s.userId);
    expect(all).toEqual(['wxid_a']);
    await expect(reader.write('wxid_b', session('wxid_b'), undefined)).rejects.toThrow(/read-only/);
  });

  it('a sweep racing with writes leaves memory and disk agreeing for every user (red-team m6)', async () => {
    const store = await openStore(dir, silentLogger);
    const users = Array.from({ length: 300 }, (_, i) => `idle-${i}`);
    for (const u of users) await putSession(store, session(u));
    for (const file of await sessionFiles(dir))
      await utimes(file, new Date('2026-01-01'), new Date('2026-01-01'));
    // Every idle user writes while the sweep runs.
    const [removed] = await Promise.all([
      store.sweep(new Date('2026-06-01')),
      ...users.map(async (u) => {
        const read = await store.read(u);
        await store.write(u, session(u, 'ask-date'), read?.revision);
      }),
    ]);
    // Each user is either gone everywhere or kept everywhere: a restart sees what the running
    // store sees.
    const restarted = await openStore(dir, silentLogger);
    let gone = 0;
    for (const u of users) {
      const live = (await storedSession(store, u))?.stepId;
      const disk = (await storedSession(restarted, u))?.stepId;
      expect(disk, u).toBe(live);
      // Swept (its late write refused as a conflict), or kept with the write that raced.
      if (live === undefined) gone++;
      else expect(live, u).toBe('ask-date');
    }
    expect(gone).toBe(removed);
  });

  it('moves a corrupt file aside, starts that user fresh and loses no one else', async () => {
    const store = await openStore(dir, silentLogger);
    await putSession(store, session('wxid_a'));
    await putSession(store, session('wxid_b'));
    // Truncate one user's file, as a full disk or a foreign tool might leave it.
    for (const file of await sessionFiles(dir)) {
      if ((await readFile(file, 'utf8')).includes('"wxid_a"'))
        await writeFile(file, '{"session": {"v": 1, "us');
    }
    // Found at the next start (the running store still has the good copy in memory).
    const restarted = await openStore(dir, silentLogger);
    expect(await storedSession(restarted, 'wxid_a')).toBeUndefined();
    expect(await storedSession(restarted, 'wxid_b')).toEqual(session('wxid_b'));
    expect((await sessionFiles(dir)).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    await putSession(restarted, session('wxid_a', 'ask-amount'));
    expect((await storedSession(restarted, 'wxid_a'))?.stepId).toBe('ask-amount');
    // forget removes the user's corrupt copy too: everything stored about them.
    await restarted.delete('wxid_a');
    expect(await sessionFiles(dir)).toHaveLength(1);
  });

  it('falls back to the previous version when the newest is torn, as a kill mid-write leaves it', async () => {
    const store = await openStore(dir, silentLogger);
    await putSession(store, session('wxid_a', 'ask-date'));
    const [file] = await sessionFiles(dir);
    const torn = (file ?? '').replace(/\.(\d+)\.json$/, (_, v: string) => `.${Number(v) + 1}.json`);
    await writeFile(torn, '{"session": {"v": 1, "userId": "wxid_a", "step');
    const restarted = await openStore(dir, silentLogger);
    expect((await storedSession(restarted, 'wxid_a'))?.stepId).toBe('ask-date');
    expect((await sessionFiles(dir)).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    await putSession(restarted, session('wxid_a', 'ask-amount'));
    expect((await storedSession(await openStore(dir, silentLogger), 'wxid_a'))?.stepId).toBe(
      'ask-amount',
    );
  });

  it('a file left by a failed write (full disk) does not lock the user out of the running store', async () => {
    const store = await openStore(dir, silentLogger);
    await putSession(store, session('wxid_a', 'ask-date'));
    const [file] = await sessionFiles(dir);
    // What ENOSPC used to leave: an empty next version the in-memory index does not know of.
    const stale = (file ?? '').replace(
      /\.(\d+)\.json$/,
      (_, v: string) => `.${Number(v) + 1}.json`,
    );
    await writeFile(stale, '');
    await putSession(store, session('wxid_a', 'ask-amount'));
    expect((await storedSession(store, 'wxid_a'))?.stepId).toBe('ask-amount');
    const restarted = await openStore(dir, silentLogger);
    expect((await storedSession(restarted, 'wxid_a'))?.stepId).toBe('ask-amount');
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
      const store = await openStore(dir, silentLogger);
      await putSession(store, session('wxid_a', 'ask-date'));
      const [file] = await sessionFiles(dir);
      await writeFile(
        (file ?? '').replace(/\.(\d+)\.json$/, (_m, v: string) => `.${Number(v) + 1}.json`),
        text,
      );
      const restarted = await openStore(dir, silentLogger);
      expect((await storedSession(restarted, 'wxid_a'))?.stepId).toBe('ask-date');
      expect((await sessionFiles(dir)).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    },
  );

  it('reads a file with a byte-order mark, and an unknown language falls back to the default', async () => {
    const store = await openStore(dir, silentLogger);
    await putSession(store, session('wxid_a', 'ask-date'));
    const [file] = await sessionFiles(dir);
    const json = await readFile(file ?? '', 'utf8');
    await writeFile(file ?? '', `\uFEFF${json.replace('"zh-CN"', '"xx"')}`);
    const restarted = await openStore(dir, silentLogger);
    const read = await storedSession(restarted, 'wxid_a');
    expect(read?.stepId).toBe('ask-date');
    expect(read?.lang).toBe('zh-CN');
  });

  it('fsync mode writes the same data', async () => {
    const store = await openStore(dir, silentLogger, { fsync: true });
    await putSession(store, session('wxid_a'));
    expect(await storedSession(store, 'wxid_a')).toEqual(session('wxid_a'));
  });

  it('sweep deletes sessions idle since before the cut-off, and only those', async () => {
    const store = await openStore(dir, silentLogger);
    await putSession(store, session('old'));
    await putSession(store, session('new'));
    for (const file of await sessionFiles(dir)) {
      if ((await readFile(file, 'utf8')).includes('"old"'))
        await utimes(file, new Date('2026-01-01'), new Date('2026-01-01'));
    }
    expect(await store.sweep(new Date('2026-06-01'))).toBe(1);
    expect(await storedSession(store, 'old')).toBeUndefined();
    expect(await storedSession(store, 'new')).toBeDefined();
  });

  it('sweep keeps a conversation handed to a person, however long it has been quiet', async () => {
    const store = await openStore(dir, silentLogger);
    const stamp = '2026-01-01T00:00:00.000Z';
    await putSession(store, {
      ...session('held'),
      handoff: { state: 'human', since: stamp, ref: 'a1b2', operator: 'x', lastAt: stamp },
    });
    await putSession(store, session('idle'));
    for (const file of await sessionFiles(dir))
      await utimes(file, new Date('2026-01-01'), new Date('2026-01-01'));
    expect(await store.sweep(new Date('2026-06-01'))).toBe(1);
    expect((await storedSession(store, 'held'))?.handoff?.ref).toBe('a1b2');
    expect(await storedSession(store, 'idle')).toBeUndefined();
  });

  it('sweep also removes damaged copies idle since before the cut-off', async () => {
    const store = await openStore(dir, silentLogger);
    await putSession(store, session('old'));
    const [file] = await sessionFiles(dir);
    const aside = `${file ?? ''}.corrupt-1`;
    await writeFile(aside, '{"session": {"userId": "old", "recipient": "张三');
    await utimes(aside, new Date('2026-01-01'), new Date('2026-01-01'));
    await store.sweep(new Date('2026-06-01'));
    expect((await sessionFiles(dir)).filter((f) => f.includes('.corrupt-'))).toEqual([]);
  });

  it('forget erases a user whose only version is damaged, without starting a conversation', async () => {
    const kit = await loadKit();
    const store = await openStore(dir, silentLogger);
    const service = createConversationService({
      engine: kit.engine,
      store,
      clock: () => new Date(),
      flood: false,
    });
    await service.handle({ userId: 'wxid_b', text: '你好' });
    const [file] = await sessionFiles(dir);
    await writeFile(file ?? '', '{"session": {"v": 1, "userId": "wxid_b", "reci');
    const fresh = await openStore(dir, silentLogger);
    const service2 = createConversationService({
      engine: kit.engine,
      store: fresh,
      clock: () => new Date(),
      flood: false,
    });
    expect(
      repliesText((await service2.handle({ userId: 'wxid_b', text: '删除我的数据' })).replies),
    ).toContain('已删除');
    expect(await sessionFiles(dir)).toEqual([]);
  });

  it("forget through the conversation removes the user's file", async () => {
    const kit = await loadKit();
    const store = await openStore(dir, silentLogger);
    const service = createConversationService({
      engine: kit.engine,
      store,
      clock: () => new Date('2026-11-28T04:00:00Z'),
    });
    await service.handle({ userId: 'wxid_a', text: '你好' });
    await service.handle({ userId: 'wxid_b', text: 'hi' });
    expect(await sessionFiles(dir)).toHaveLength(2);
    await service.handle({ userId: 'wxid_a', text: '删除我的数据' });
    expect(repliesText((await service.handle({ userId: 'wxid_a', text: '是' })).replies)).toContain(
      '已删除',
    );
    expect(await sessionFiles(dir)).toHaveLength(1);
    expect(await storedSession(store, 'wxid_a')).toBeUndefined();
  });
});

describe('conversation service', () => {
  it('re-runs the engine on the fresh session when another process wrote the user in between', async () => {
    const kit = await loadKit();
    const memory = createMemoryStore();
    // Another process answers between this one's read and its write, once.
    let interfere = false;
    const other = createConversationService({
      engine: kit.engine,
      store: memory,
      clock: () => new Date('2026-11-28T04:00:00Z'),
      flood: false,
    });
    const store = {
      ...memory,
      write: async (key: string, value: Session, expected: number | undefined) => {
        if (interfere) {
          interfere = false;
          await other.handle({ userId: key, text: '不是' });
        }
        return memory.write(key, value, expected);
      },
    };
    const service = createConversationService({
      engine: kit.engine,
      store,
      clock: () => new Date('2026-11-28T04:00:00Z'),
      flood: false,
    });
    await service.handle({ userId: 'a', text: '你好' });
    interfere = true;
    const { replies } = await service.handle({ userId: 'a', text: '1' });
    // Both answers count, in the order they were stored: "不是" (no scam), then "1" (赞赏码).
    const stored = await storedSession(memory, 'a');
    expect(stored?.turns).toBe(3);
    expect(stored?.facts).toMatchObject({ beingPressed: false, paymentKind: 'reward-code' });
    expect(repliesText(replies)).not.toBe('');
  });

  it("processes one user's messages strictly in order, and users independently", async () => {
    const kit = await loadKit();
    const store = createMemoryStore();
    const service = createConversationService({
      engine: kit.engine,
      store,
      clock: () => new Date('2026-11-28T04:00:00Z'),
      // Nine messages fired at once: faster than a person types, and not what is tested here.
      flood: false,
    });
    // Fired without awaiting: each must see the session the previous one saved.
    const a = ['你好', '不是', '1', '没有', '没有', '2', '昨天', '150', '跳过'].map((text) =>
      service.handle({ userId: 'a', text }),
    );
    const b = ['hello', 'no', '1', 'no', 'no'].map((text) => service.handle({ userId: 'b', text }));
    await Promise.all([...a, ...b]);
    expect((await storedSession(store, 'a'))?.stepId).toBe('ask-can-reach');
    expect((await storedSession(store, 'a'))?.facts.amount).toBe(150);
    expect((await storedSession(store, 'b'))?.stepId).toBe('what-happened');
    expect((await storedSession(store, 'b'))?.lang).toBe('en');
  });
});
