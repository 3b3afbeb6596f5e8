import { describe, expect, it } from 'vitest';
import { walker } from './walk.js';

/**
 * Never a silent guess (issue 21, deliverable 2; fresh review, finding 4): an answer the
 * classifier read — not the rules — is taken and said back with what it was taken as, and
 * "back" undoes it. An answer the rules read is not, so plain answers cost no extra line.
 */
const w = walker(new Date('2026-12-02T04:00:00Z'));

describe('an answer read by meaning is read back', () => {
  it('「扫码的时候手一抖 付给了别人」 at "what happened": taken, said back, undone by 返回', () => {
    const read = w.sayAt('what-happened', 'zh-CN', '扫码的时候手一抖 付给了别人');
    expect(read.session?.facts.situation).toBe('wrong-recipient');
    expect(read.reply).toContain('我理解为：发生了什么：付错人了');
    const back = w.say(read.session, '返回');
    expect(back.session?.stepId).toBe('what-happened');
    expect(back.session?.facts.situation).toBeUndefined();
  });

  it('「以前可以」 (it used to be) is never taken as "I can reach them now"', () => {
    const read = w.sayAt('ask-can-reach', 'zh-CN', '以前可以');
    expect(read.session?.facts.canReach).toBeUndefined();
    expect(read.session?.stepId).toBe('ask-can-reach');
  });

  it('a plain answer the rules read is not said back', () => {
    const read = w.sayAt('what-happened', 'zh-CN', '付错人了');
    expect(read.session?.facts.situation).toBe('wrong-recipient');
    expect(read.reply).not.toContain('我理解为');
  });
});
