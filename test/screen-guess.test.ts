import { describe, expect, it } from 'vitest';
import type { Lang } from '../src/shared/types.js';
import { walker } from './walk.js';

/**
 * A safety question's answer by implication (issue 21, deliverable 2): the rules take only a
 * plain answer there, and the classifier's "yes" or "not sure" is never taken — it is shown
 * back to be confirmed, one question, so a victim who writes 「佢叫我即刻再俾多五百」 is not
 * just told "reply yes or no". Its "no" is never shown back: a victim is not offered "no".
 */
const w = walker(new Date('2026-12-02T04:00:00Z'));
const ALARM = { 'zh-CN': '现在就拨打 110 报警', en: 'Call the police on 110 now' };
const SHOWN = { 'zh-CN': '我理解你的意思是「是」' };
const PLAIN = { 'zh-CN': '这个问题很要紧', en: 'This question matters' };
const say = (lang: Lang, text: string, stepId = 'urgent-check') => w.sayAt(stepId, lang, text);

describe('a safety question answered by implication', () => {
  it.each([
    ['urgent-check', '佢叫我即刻再俾多五百', 'beingPressed'],
    ['screen-promise', '他说投进去一个月翻倍', 'promisedReturn'],
  ] as const)(
    'at %s 「%s」: its "yes" shown back, nothing taken; then "是" is taken',
    (stepId, text, fact) => {
      const { session, reply } = say('zh-CN', text, stepId);
      expect(reply).toContain(SHOWN['zh-CN']);
      expect(reply).not.toContain(ALARM['zh-CN']);
      expect(session?.stepId).toBe(stepId);
      expect(session?.facts[fact]).toBeUndefined();
      const yes = w.say(session, '是', 'zh-CN');
      expect(yes.reply).toContain('110');
      expect(yes.session?.facts[fact]).toBe(true);
    },
  );

  it('a shown-back "yes" answered "no" is no, and no alarm', () => {
    const { session } = say('zh-CN', '佢叫我即刻再俾多五百');
    const no = w.say(session, '不是', 'zh-CN');
    expect(no.session?.facts.beingPressed).toBe(false);
    expect(no.reply).not.toContain(ALARM['zh-CN']);
  });

  it('an unclear "no" is asked again plainly, never shown back as "no"', () => {
    const { session, reply } = say('en', 'nah it was just my own slip');
    expect(reply).toContain(PLAIN.en);
    expect(reply).not.toContain('I understood');
    expect(session?.facts.beingPressed).toBeUndefined();
  });
});
