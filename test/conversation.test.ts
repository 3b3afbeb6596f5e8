import { beforeAll, describe, expect, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import { createConversationService, createFloodGate } from '../src/core/conversation.js';
import type { Session } from '../src/core/session.js';
import { createMemoryStore } from '../src/store/memory.js';
import { loadKit, storedSession, type Kit } from './helpers.js';

let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});

const NOW = new Date('2026-11-28T04:00:00Z');

describe('the error boundary around one message', () => {
  it('a failed write gets "please send that again" in the user\'s language; others go on; it recovers', async () => {
    const memory = createMemoryStore();
    let failNext = false;
    const store = {
      ...memory,
      write: async (key: string, session: Session, expected: number | undefined) => {
        if (failNext && key === 'alice') {
          failNext = false;
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        return memory.write(key, session, expected);
      },
    };
    const reports: Array<{ error: unknown; userId: string }> = [];
    const service = createConversationService({
      engine: kit.engine,
      store,
      clock: () => NOW,
      flood: false,
      report: (error, userId) => reports.push({ error, userId }),
    });
    await service.handle({ userId: 'alice', text: '你好' });
    failNext = true;
    const failed = await service.handle({ userId: 'alice', text: '不是' });
    expect(repliesText(failed.replies)).toContain('请再发一次');
    expect(reports).toHaveLength(1);
    expect(String(reports[0]?.error)).toContain('ENOSPC');
    // What was reported (message, stack, user) never holds what the user typed.
    const reported = reports.map(
      ({ error, userId }) => `${String(error)} ${(error as Error).stack ?? ''} ${userId}`,
    );
    expect(reported.join('\n')).toContain('ENOSPC');
    expect(reported.join('\n')).not.toContain('不是');
    // Nothing half-written: alice is still at the first question, and is served again.
    expect((await storedSession(store, 'alice'))?.stepId).toBe('urgent-check');
    expect(
      repliesText((await service.handle({ userId: 'alice', text: '不是' })).replies),
    ).toContain('这笔钱是怎么付出去的');
    expect(repliesText((await service.handle({ userId: 'bob', text: 'hello' })).replies)).toContain(
      'zhuihui',
    );
  });

  it('an engine that throws does not take the process down; an English user is answered in English', async () => {
    const broken = {
      ...kit.engine,
      handle: () => {
        throw new Error('bug');
      },
    };
    const service = createConversationService({
      engine: broken,
      store: createMemoryStore(),
      clock: () => NOW,
      flood: false,
    });
    expect(repliesText((await service.handle({ userId: 'x', text: 'hello' })).replies)).toContain(
      'send it again',
    );
  });
});

describe('flood control covers everything', () => {
  const limit = { messages: 8, windowMs: 10_000 };

  it('pictures and stickers count: 30 of them get 8 answers, one "slow down", then nothing', async () => {
    const service = createConversationService({
      engine: kit.engine,
      store: createMemoryStore(),
      clock: () => NOW,
      flood: limit,
    });
    const replies = await Promise.all(
      Array.from({ length: 30 }, () => service.handleMedia('pics')),
    );
    expect(replies.filter((r) => repliesText(r.replies).includes('只能读文字')).length).toBe(8);
    expect(replies.filter((r) => repliesText(r.replies).includes('请慢一点')).length).toBe(1);
    expect(replies.slice(9).every((r) => r.replies.length === 0)).toBe(true);
  });

  it('"slow down" comes after the replies to the messages that were let through', async () => {
    const service = createConversationService({
      engine: kit.engine,
      store: createMemoryStore(),
      clock: () => NOW,
      flood: limit,
    });
    const order: string[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        service
          .handle({ userId: 'burst', text: i === 0 ? '你好' : '不是' })
          .then(({ replies: r }) => {
            if (r.length > 0) order.push(repliesText(r).includes('请慢一点') ? 'slow' : 'reply');
          }),
      ),
    );
    expect(order).toEqual([...Array(8).fill('reply'), 'slow']);
  });

  it('group mentions are limited per person and per room', async () => {
    const service = createConversationService({
      engine: kit.engine,
      store: createMemoryStore(),
      clock: () => NOW,
      flood: limit,
    });
    const verdicts: string[] = [];
    for (let i = 0; i < 12; i++) verdicts.push(await service.admit([`user-${i}`, 'room:a']));
    expect(verdicts.slice(0, 8).every((v) => v === 'ok')).toBe(true);
    expect(verdicts[8]).toBe('warn');
    expect(verdicts.slice(9).every((v) => v === 'drop')).toBe(true);
  });
});

describe('the flood gate at scale (red-team m8)', () => {
  it('forgets users whose window has passed as it goes, and still limits each one', () => {
    const gate = createFloodGate({ messages: 8, windowMs: 10_000 });
    for (let i = 0; i < 50_000; i++) expect(gate.admit(`u${i}`, i / 10)).toBe('ok');
    // 5 s into the run: everyone is still inside the window.
    expect(gate.size()).toBe(50_000);
    // Once the window has passed for the first half, they are gone after one more message.
    gate.admit('late', 12_500);
    expect(gate.size()).toBeLessThan(50_000);
    expect(gate.size()).toBeGreaterThan(1);
    const verdicts = Array.from({ length: 10 }, () => gate.admit('u49999', 12_600));
    expect(verdicts.filter((v) => v === 'ok')).toHaveLength(7);
    expect(verdicts).toContain('warn');
  });
});

describe('flood windows and wall-clock steps (red-team m7)', () => {
  it('a clock set back an hour does not keep a user blocked: the window runs on monotonic time', async () => {
    let wall = NOW.getTime();
    let ticks = 0;
    const service = createConversationService({
      engine: kit.engine,
      store: createMemoryStore(),
      clock: () => new Date(wall),
      flood: { messages: 8, windowMs: 10_000 },
      ticks: () => ticks,
    });
    for (let i = 0; i < 9; i++)
      await service.handle({ userId: 'u', text: i === 0 ? '你好' : '帮助' });
    // The wall clock goes back an hour; ten seconds of real time pass.
    wall -= 3_600_000;
    ticks += 10_001;
    expect(repliesText((await service.handle({ userId: 'u', text: '帮助' })).replies)).toContain(
      '你可以随时发送',
    );
  });
});

describe('channel message ids', () => {
  it('a message retried with the same id is handled once (WeChat retries up to 3 times)', async () => {
    const store = createMemoryStore();
    const service = createConversationService({ engine: kit.engine, store, clock: () => NOW });
    const inbound = { userId: 'oa:u', text: '你好', channel: 'oa', messageId: '6001' };
    const first = await service.handle(inbound);
    expect(repliesText(first.replies)).toContain('追回');
    for (let i = 0; i < 3; i++) expect((await service.handle(inbound)).replies).toEqual([]);
    expect((await store.read('oa:u'))?.value.turns).toBe(1);
    // Another channel's message with the same number is another message.
    expect((await service.handle({ ...inbound, channel: 'wechat' })).replies).not.toEqual([]);
  });

  it('a shared flood gate or store that is down gets "try again in a moment", and nothing changes', async () => {
    const store = createMemoryStore();
    let down = true;
    const service = createConversationService({
      engine: kit.engine,
      store,
      clock: () => NOW,
      floodGate: {
        admit: async () => {
          if (down) throw new Error('connect ECONNREFUSED');
          return 'ok' as const;
        },
      },
    });
    expect(repliesText((await service.handle({ userId: 'u', text: '你好' })).replies)).toContain(
      '稍等',
    );
    expect(await store.read('u')).toBeUndefined();
    down = false;
    expect(repliesText((await service.handle({ userId: 'u', text: '你好' })).replies)).toContain(
      '追回',
    );
  });
});
