import { beforeAll, describe, expect, it } from 'vitest';
import { features, trainRanker } from '../src/core/classify/index.js';
import { createUnderstanding } from '../src/core/understand.js';
import { chat, loadKit, type Kit } from './helpers.js';

/**
 * Understanding by meaning (src/core/classify/): a model per step, trained from the flow's
 * examples, reads what the rules leave unclear, within the safeguards: it never gives a
 * safety question's "no", a middling reading is shown back to be confirmed, and the same
 * message always gets the same reading.
 */
let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});
const TODAY = '2026-11-28';

describe('the classifier', () => {
  it('reads Chinese by character n-grams and English by words, pairs and letters', () => {
    expect(features('冇人')).toEqual(['冇', '人', '^冇', '冇人', '人$', '^冇人', '冇人$']);
    expect(features("Don't 20")).toEqual([
      'w:dont',
      'c:<do',
      'c:don',
      'c:ont',
      'c:nt>',
      'w:0',
      'b:dont_0',
    ]);
    // A step's answers are also read with negation scope: what a 「冇」 or a "not" denies.
    expect(features('冇人', 'answer')).toEqual([...features('冇人'), 'n:first', 'n:人']);
    expect(features('是 冇人催', 'answer')).toContain('n:late');
    expect(features('不是没有', 'answer')).toContain('n:double');
    expect(features('not me', 'answer')).toContain('n:me');
    expect(features('是我', 'answer')).toContain('n:none');
  });

  it('is deterministic: the same examples give the same model, the same message the same ranking', () => {
    const pairs: Array<[string, string]> = [
      ['付错人了', 'wrong'],
      ['转给了别人', 'wrong'],
      ['被骗了', 'scam'],
      ['遇到骗子', 'scam'],
      ['你好', 'none'],
    ];
    const a = trainRanker(pairs)('钱转给了骗子');
    const b = trainRanker(pairs)('钱转给了骗子');
    expect(a).toEqual(b);
    expect(a.reduce((sum, r) => sum + r.p, 0)).toBeCloseTo(1, 9);
    expect(trainRanker(pairs)('被人骗了')[0]?.intent).toBe('scam');
  });

  it('reads by meaning what the rules leave unclear, and "he blocked me" is no choice', () => {
    const rules = createUnderstanding(kit.flow, kit.translators, { reader: 'rules' });
    const both = createUnderstanding(kit.flow, kit.translators);
    expect(rules.answer('payment-kind', '扫了对方的码', TODAY).ok).toBe(false);
    // Marked as read by meaning, so the engine says it back (never a silent guess).
    expect(both.answer('payment-kind', '扫了对方的码', TODAY)).toEqual({
      ok: true,
      value: 'receipt-code',
      meaning: true,
    });
    for (const step of ['payment-kind', 'what-happened'])
      expect(both.answer(step, '他把我拉黑了', TODAY).ok).toBe(false);
  });

  it('never reads a safety question\'s "no"; the rules alone give it, when it is plainly no', () => {
    const both = createUnderstanding(kit.flow, kit.translators);
    const raw = createUnderstanding(kit.flow, kit.translators, { reader: 'classifier' });
    // The model alone reads this "no, only…" as no; at the screen it is asked again.
    const text = '没有啊 只是他说还要交手续费';
    expect(raw.answer('urgent-check', text, TODAY)).toEqual({ ok: true, value: false });
    expect(both.answer('urgent-check', text, TODAY)).toEqual({ ok: false, reason: 'yesnoStrict' });
    expect(both.answer('urgent-check', '没有', TODAY)).toEqual({ ok: true, value: false });
  });

  it('does not guess a number, an either-or, a message naming two options, or through a doubt', () => {
    const both = createUnderstanding(kit.flow, kit.translators);
    for (const text of ['12', '十二', '赞赏码还是收款码', '转账'])
      expect(both.answer('payment-kind', text, TODAY).ok).toBe(false);
    // A doubt chooses only "not sure", never the option it doubts.
    const doubt = both.answer('what-happened', '我也不知道算不算被人骗了', TODAY);
    expect(doubt.ok ? doubt.value : 'asked again').not.toBe('scam');
  });
});

describe('a middling reading is shown back to be confirmed', () => {
  it('asks "did you mean …?" with the option\'s number; the number chooses it', () => {
    const c = chat(kit.engine);
    c.say('你好');
    c.session = { ...c.session!, stepId: 'what-happened' };
    expect(c.say('多给了')).toContain('你是说「金额输错了」吗？是的话请回复 3');
    expect(c.session?.stepId).toBe('what-happened');
    c.say('3');
    expect(c.session?.facts.situation).toBe('wrong-amount');
  });

  it('in English too, and a yes/no reading is confirmed by its own word', () => {
    const c = chat(kit.engine, { lang: 'en' });
    c.say('hello');
    c.session = { ...c.session!, stepId: 'what-happened' };
    expect(c.say('it was a con')).toContain(
      'Did you mean "I was scammed (a fraudster or an impostor)"? If so, reply 1',
    );
    c.session = { ...c.session!, stepId: 'ask-can-reach', failures: 0 };
    expect(c.say('他还在线')).toContain('I understood "yes". If that is right, reply "yes"');
    c.say('yes');
    expect(c.session?.facts.canReach).toBe(true);
  });
});
