import { describe, expect, it } from 'vitest';
import { walker } from './walk.js';

/**
 * "Not sure" to a question that offers only yes or no is asked again, with a word on how to
 * find out; it used to be stored as "unsure" and routed as "no" (an adult paid, one payment,
 * not on a platform) without a word.
 */
const w = walker(new Date('2026-12-02T04:00:00Z'));

describe('"not sure" where only yes or no is offered', () => {
  it.each([
    ['d-payer-minor', 'zh-CN', '我也说不准'],
    ['d-payer-minor', 'en', 'no idea honestly'],
    ['ask-several', 'zh-CN', '记不清了'],
    ['ask-several', 'en', 'not sure'],
  ] as const)('at %s (%s), %s is asked again', (stepId, lang, text) => {
    const { before, session, reply } = w.sayAt(stepId, lang, text);
    const step = w.kit.flow.step(stepId);
    const fact = step && 'fact' in step ? (step.fact ?? '') : '';
    expect(session?.stepId).toBe(stepId);
    expect(reply).toContain(w.kit.translators(lang)('common:reprompt.yesnoOnly'));
    expect(session?.facts).toEqual(before.facts);
    expect(fact).not.toBe('');
    expect(session?.facts[fact]).toBeUndefined();
    // A plain answer then goes on.
    expect(w.say(session, lang === 'en' ? 'yes' : '是', lang).session?.stepId).not.toBe(stepId);
  });

  it('a question that offers "not sure" still takes it', () => {
    const { session } = w.sayAt('e-capacity', 'zh-CN', '不确定');
    expect(session?.facts.elderImpaired).toBe('unsure');
  });
});
