import { beforeAll, describe, expect, it } from 'vitest';
import { enumeratePaths } from '../src/flow/paths.js';
import { typedAnswer } from '../src/authoring/replay.js';
import type { Session } from '../src/core/session.js';
import type { Lang } from '../src/core/types.js';
import { loadKit, type Kit } from './helpers.js';

const NOW = new Date('2026-11-28T04:00:00Z');
let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});

/** Walks a path up to `stepId` and returns the session there. */
function sessionAt(stepId: string, lang: Lang): Session {
  const path = enumeratePaths(kit.flow, '2026-11-28').find((p) => p.steps.includes(stepId));
  if (!path) throw new Error(`no path reaches ${stepId}`);
  let session = kit.engine.handle(undefined, { userId: 'u', text: lang === 'en' ? 'hi' : '你好', lang }, NOW).session;
  for (const answer of path.answers) {
    if (session?.stepId === stepId) break;
    const text = typedAnswer(kit.flow, kit.translators, lang, answer.stepId, answer.value);
    session = kit.engine.handle(session ?? undefined, { userId: 'u', text, lang }, NOW).session;
  }
  if (session?.stepId !== stepId) throw new Error(`did not reach ${stepId}`);
  return session;
}

const STEPS = ['payment-kind', 'what-happened', 'ask-date', 'ask-amount', 'ask-recipient', 'ask-can-reach', 'c-age', 'd-deceived', 'end-wrong-payment'];
const MESSAGES: Record<Lang, string[]> = {
  'zh-CN': ['客服说要先交解冻费', '对方让我再转500验证一下', '他说打赏返利，先付后返', '有个百万保障的电话', '要我共享屏幕'],
  en: ['customer service called and said I must pay to unfreeze', 'they asked me to pay a fee first', 'it is a rebate thing', 'they want me to share my screen', 'they told me to pay a refund fee'],
};

describe('scam interrupt', () => {
  describe.each(['zh-CN', 'en'] as const)('in %s', (lang) => {
    it.each(STEPS)('fires at %s, warns, and asks the same question again', (stepId) => {
      const before = sessionAt(stepId, lang);
      const text = MESSAGES[lang][STEPS.indexOf(stepId) % MESSAGES[lang].length] ?? '';
      const { session, replies } = kit.engine.handle(before, { userId: 'u', text }, NOW);
      const all = replies.join('\n');
      expect(all).toContain('110');
      expect(all).toContain('96110');
      expect(all).toMatch(lang === 'en' ? /Do not pay anything more/ : /不要再付任何钱/);
      expect(session?.stepId).toBe(stepId);
      expect(session?.facts.scamSignal).toBe(true);
      // Nothing else changed: the message was not taken as an answer.
      expect({ ...session?.facts, scamSignal: undefined }).toEqual({ ...before.facts, scamSignal: undefined });
    });
  });

  it('does not fire on ordinary answers', () => {
    const before = sessionAt('ask-recipient', 'zh-CN');
    const { session } = kit.engine.handle(before, { userId: 'u', text: '我想要回退款的小店' }, NOW);
    expect(session?.facts.scamSignal).toBeUndefined();
    expect(session?.facts.recipient).toBe('我想要回退款的小店');
  });

  it('at the urgent question, the words are an answer, not an interrupt', () => {
    const before = sessionAt('urgent-check', 'zh-CN');
    const { session, replies } = kit.engine.handle(before, { userId: 'u', text: '是，客服让我交解冻费' }, NOW);
    expect(session?.stepId).toBe('payment-kind');
    expect(replies.join('\n')).toContain('请马上停止付款');
  });
});
