import { beforeAll, describe, expect, it } from 'vitest';
import { createConversationService } from '../src/core/conversation.js';
import type { Session } from '../src/core/session.js';
import { createMemoryStore } from '../src/store/memory.js';
import { loadKit, type Kit } from './helpers.js';

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
      set: async (session: Session) => {
        if (failNext && session.userId === 'alice') {
          failNext = false;
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        return memory.set(session);
      },
    };
    const reports: Array<{ error: unknown; userId: string }> = [];
    const service = createConversationService(
      kit.engine,
      store,
      () => NOW,
      false,
      (error, userId) => reports.push({ error, userId }),
    );
    await service.handle({ userId: 'alice', text: '你好' });
    failNext = true;
    const failed = await service.handle({ userId: 'alice', text: '不是' });
    expect(failed.join('')).toContain('请再发一次');
    expect(reports).toHaveLength(1);
    expect(String(reports[0]?.error)).toContain('ENOSPC');
    expect(JSON.stringify(reports)).not.toContain('不是');
    // Nothing half-written: alice is still at the first question, and is served again.
    expect((await store.get('alice'))?.stepId).toBe('urgent-check');
    expect((await service.handle({ userId: 'alice', text: '不是' })).join('')).toContain(
      '这笔钱是怎么付出去的',
    );
    expect((await service.handle({ userId: 'bob', text: 'hello' })).join('')).toContain('zhuihui');
  });

  it('an engine that throws does not take the process down; an English user is answered in English', async () => {
    const broken = {
      ...kit.engine,
      handle: () => {
        throw new Error('bug');
      },
    };
    const service = createConversationService(broken, createMemoryStore(), () => NOW, false);
    expect((await service.handle({ userId: 'x', text: 'hello' })).join('')).toContain(
      'send it again',
    );
  });
});
