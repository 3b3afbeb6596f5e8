import { describe, expect, it } from 'vitest';
import type { Session } from '../src/core/session.js';
import { walker } from './walk.js';

/**
 * A correction without the new value (「金额不对」, "the name is wrong"): the fact it names is
 * asked again — never kept as it was, never read as the answer to the question asked, never
 * stored as another fact — and a correction never takes a conversation off the scam plan.
 */
const w = walker(new Date('2026-12-02T04:00:00Z'));

describe('a fact said wrong without a value is asked again', () => {
  it('「金额不对」 at the name question forgets the amount and asks it, and is no name', () => {
    const { before, session, reply } = w.sayAt('ask-recipient', 'zh-CN', '金额不对，我说错了');
    expect(before.facts.amount).toBeDefined();
    expect(session?.facts.amount).toBeUndefined();
    expect(session?.facts.recipient).toBeUndefined();
    expect(session?.stepId).toBe('ask-amount');
    expect(reply).toContain('「金额」我重新问一下');
    // The new amount is then read back, and the conversation goes on to the name.
    const next = w.say(session, '350', 'zh-CN');
    expect(next.session?.facts.amount).toBe(350);
    expect(next.session?.stepId).not.toBe('ask-amount');
  });

  it('"the name I typed is wrong" after the name was given asks the name again', () => {
    const { before, session, reply } = w.sayAt('ask-can-reach', 'en', 'the name I typed is wrong');
    expect(before.facts.recipient).toBeDefined();
    expect(session?.facts.recipient).toBeUndefined();
    expect(session?.stepId).toBe('ask-recipient');
    expect(reply).toContain('let me ask again');
    // Nothing else is changed or forgotten.
    const others = Object.fromEntries(
      Object.entries(before.facts).filter(([fact]) => fact !== 'recipient'),
    );
    expect(session?.facts).toEqual(others);
  });

  it('「付款时间搞错了」 asks the date again; the amount and the name stay', () => {
    const { before, session } = w.sayAt('ask-can-reach', 'zh-CN', '付款时间我搞错了');
    expect(session?.facts.paidOn).toBeUndefined();
    expect(session?.facts.amount).toBe(before.facts.amount);
    expect(session?.facts.recipient).toBe(before.facts.recipient);
    expect(session?.stepId).toBe('ask-date');
  });

  it('someone else saying it is wrong, or the user saying it is right, forgets nothing', () => {
    for (const text of ['他说金额不对 让我再转一次', '金额没错的', 'the date you have is right']) {
      const { before, session } = w.sayAt(
        'ask-can-reach',
        /[a-z]/.test(text) ? 'en' : 'zh-CN',
        text,
      );
      expect(session?.facts.amount, text).toBe(before.facts.amount);
      expect(session?.facts.paidOn, text).toBe(before.facts.paidOn);
    }
  });

  it('「情况选错了」 on the scam plan keeps it: the situation is not forgotten', () => {
    let session: Session | undefined;
    for (const text of ['你好', '不是', '1', '没有', '没有', '1', '是'])
      session = w.say(session, text, 'zh-CN').session;
    expect(session?.facts.situation).toBe('scam');
    const out = w.say(session, '情况选错了', 'zh-CN');
    expect(out.session?.facts.situation).toBe('scam');
    expect(out.reply).toContain('继续按可能被骗来处理');
  });

  it('at a question of the honest path, 「情况不对」 asks what happened again', () => {
    let { session, reply } = w.sayAt('ask-can-reach', 'zh-CN', '刚才说的情况不对');
    // The scam signal by meaning may ask its safety question first (a false alarm of the
    // signal model); after "no" the sentence is read again.
    if (reply.includes('先确认一下安全')) {
      session = w.say(session, '不是', 'zh-CN').session;
      ({ session, reply } = w.say(session, '刚才说的情况不对', 'zh-CN'));
    }
    expect(reply).toContain('我重新问一下');
    expect(session?.facts.situation).toBeUndefined();
    expect(session?.stepId).toBe('what-happened');
  });
});
