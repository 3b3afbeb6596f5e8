import { beforeAll, inject, describe, expect, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import type { FlowPath } from '../src/flow/paths.js';
import type { Session } from '../src/core/session.js';
import type { Lang } from '../src/shared/types.js';
import { loadKit, type Kit } from './helpers.js';
import { sessionAt as walkTo } from './walk.js';

const NOW = new Date('2026-11-28T04:00:00Z');
let kit: Kit;
let paths: FlowPath[];
beforeAll(async () => {
  kit = await loadKit();
  paths = inject('coveringPaths');
});

const sessionAt = (stepId: string, lang: Lang): Session => walkTo(kit, paths, stepId, lang, NOW);

// After the screen (every answer "no"), a scam phrase in free text asks one question.
const AFTER_SCREEN = [
  'what-happened',
  'ask-date',
  'ask-amount',
  'ask-recipient',
  'ask-can-reach',
  'c-age',
  'end-wrong-payment',
  'end-regret',
  'end-minor',
];
const MESSAGES: Record<Lang, string[]> = {
  'zh-CN': [
    '客服让我先交解冻费',
    '对方让我再转500验证一下',
    '他说打赏返利，先付后返',
    '有个百万保障的电话',
    '要我共享屏幕',
    '对方说要退钱给我，让我把付款码发给他',
    '对方让我扫他发的二维码领取退款',
    '他让我下载一个会议软件开视频',
    '有人加我说是微信官方可以帮我追回，要收服务费',
    '网上找了个追款公司',
    '对方说我账户异常要我转到安全账户',
    '对方说要刷流水才能提现',
    '有人说转错给我了，让我退到另一个账户',
  ],
  en: [
    'customer service called and said I must pay to unfreeze',
    'they asked me to pay a fee first',
    'it is a rebate thing',
    'they want me to share my screen',
    'send my payment code so they can refund',
    'scan his qr code to get the refund',
    'a recovery company can get it back for a fee',
    'move it to a safe account',
    'they sent a refund link',
    'someone says they paid me by mistake and wants it sent back to another account',
  ],
};
const CONFIRM = {
  'zh-CN': /你刚才提到「(.+?)」。先确认一下安全/u,
  en: /You mentioned "(.+?)"\. A quick safety check/u,
};
const ALARM = { 'zh-CN': '现在就拨打 110 报警', en: 'Call the police on 110 now' };
const YES = { 'zh-CN': '是', en: 'yes' };
const NO = { 'zh-CN': '不是', en: 'no' };

describe('a scam signal in free text', () => {
  describe.each(['zh-CN', 'en'] as const)('in %s', (lang) => {
    const say = (session: Session | undefined, text: string) =>
      kit.engine.handle(session, { userId: 'u', text, lang }, NOW);

    it('before the screen: a warning that names it, and the message is read as usual', () => {
      const before = sessionAt('payment-kind', lang);
      for (const text of MESSAGES[lang]) {
        const { session, replies } = say(before, text);
        const all = repliesText(replies);
        expect(all, text).toContain('110');
        expect(all).toContain('96110');
        expect(session?.facts.scamSignal).toBe(true);
        // Free text alone never switches the plan: no alarm, no scam plan.
        expect(session?.stepId).not.toBe('end-scam');
        expect(all).not.toContain(ALARM[lang]);
      }
    });

    it.each(AFTER_SCREEN)(
      'at %s, once the screen said no: one question naming it; nothing taken as an answer',
      (stepId) => {
        const before = sessionAt(stepId, lang);
        for (const text of MESSAGES[lang]) {
          const { session, replies } = say(before, text);
          // At "what happened?" a message that chooses "I was scammed" is that answer.
          if (session?.facts.situation === 'scam' && stepId === 'what-happened') {
            expect(repliesText(replies)).toContain(ALARM[lang]);
            continue;
          }
          expect(repliesText(replies), text).toMatch(CONFIRM[lang]);
          expect(session?.stepId).toBe(stepId);
          expect({ ...session?.facts, scamSignal: undefined }).toEqual({
            ...before.facts,
            scamSignal: undefined,
          });
        }
      },
    );

    it.each(AFTER_SCREEN)('at %s, "yes" to it: 110 at once, then who asked', (stepId) => {
      const asked = say(sessionAt(stepId, lang), MESSAGES[lang][3] ?? '').session;
      const { session, replies } = say(asked ?? undefined, YES[lang]);
      expect(repliesText(replies)).toContain(ALARM[lang]);
      expect(session?.facts.signalConfirmed).toBe(true);
      expect(session?.stepId).toBe('scam-actor');
      // The one who asked was the recipient: the scam plan.
      const plan = say(session ?? undefined, '1');
      let s = plan.session ?? undefined;
      for (let i = 0; i < 10 && s && kit.flow.step(s.stepId)?.type !== 'end'; i++) {
        const choice = kit.flow.step(s.stepId)?.type === 'choice';
        s = say(s, choice ? '2' : lang === 'en' ? 'skip' : '跳过').session ?? undefined;
      }
      expect(s?.stepId).toBe('end-scam');
    });

    it.each(AFTER_SCREEN)('at %s, "no" to it: the same question again, and not again', (stepId) => {
      const before = sessionAt(stepId, lang);
      const text = MESSAGES[lang][3] ?? '';
      const asked = say(before, text).session;
      const { session } = say(asked ?? undefined, NO[lang]);
      expect(session?.stepId).toBe(stepId);
      expect(session?.facts.signalConfirmed).toBe(false);
      const again = say(session ?? undefined, text);
      expect(repliesText(again.replies)).not.toMatch(CONFIRM[lang]);
    });
  });

  it('a negated signal is no signal: "也没人让我交钱", "nobody asked me to pay"', () => {
    for (const [lang, text] of [
      ['zh-CN', '也没人让我交钱'],
      ['en', 'nobody asked me to pay anything'],
    ] as const) {
      const before = sessionAt('ask-can-reach', lang);
      const { session } = kit.engine.handle(before, { userId: 'u', text, lang }, NOW);
      expect(session?.facts.scamSignal, text).toBeUndefined();
    }
  });

  it('the real WeChat Pay line costs one question and keeps the 90-day advice (review N11)', () => {
    const before = sessionAt('ask-can-reach', 'zh-CN');
    const say = (s: Session | undefined, text: string) =>
      kit.engine.handle(s, { userId: 'u', text, lang: 'zh-CN' }, NOW);
    const asked = say(before, '我打了95017，客服让我等对方回复');
    expect(repliesText(asked.replies)).toMatch(CONFIRM['zh-CN']);
    const back = say(asked.session ?? undefined, '不是，我自己打的官方客服');
    expect(back.session?.stepId).toBe('ask-can-reach');
    const plan = repliesText(say(back.session ?? undefined, '是').replies);
    expect(plan).not.toContain('很可能是被骗的钱');
    if (before.facts.paymentKind === 'reward-code') expect(plan).toContain('90 天');
  });

  it('at a screen question, a "no" that goes on is never taken as no (review N1)', () => {
    const before = sessionAt('urgent-check', 'zh-CN');
    for (const text of [
      '没有人催，只是对方说可以退款，让我扫码',
      '不是，客服让我先交解冻费',
      '没有转，但对方让我交保证金才能退款',
      '没有，但是客服说我的账户被冻结了',
    ]) {
      const { session, replies } = kit.engine.handle(before, { userId: 'u', text }, NOW);
      // Asked again, or (what follows the "but" is a yes) the alarm; never "nobody".
      expect(session?.facts.beingPressed, text).not.toBe(false);
      if (session?.facts.beingPressed === undefined)
        expect(repliesText(replies)).toMatch(/明确的回答/);
      else expect(repliesText(replies)).toContain('现在就拨打 110 报警');
    }
  });

  it('at a screen question, a clear yes with scam words is the alarm: 110 at once', () => {
    const before = sessionAt('urgent-check', 'zh-CN');
    const { session, replies } = kit.engine.handle(
      before,
      { userId: 'u', text: '是，客服让我交解冻费' },
      NOW,
    );
    expect(session?.stepId).toBe('payment-kind');
    expect(session?.facts.beingPressed).toBe(true);
    expect(repliesText(replies)).toContain('现在就拨打 110 报警');
  });

  it('a name with scam words at the recipient question is asked about, not stored (review N14)', () => {
    const before = sessionAt('ask-recipient', 'zh-CN');
    const { session } = kit.engine.handle(
      before,
      { userId: 'u', text: '我下载一个截图给你看' },
      NOW,
    );
    expect(session?.facts.recipient).toBeUndefined();
    expect(session?.stepId).toBe('ask-recipient');
  });
});

describe('a signal in the opening story', () => {
  it.each([
    ['zh-CN', '对方说我转错了，让我再转一笔给他就退', ['不是', '1', '没有', '没有']],
    [
      'en',
      'someone said I paid the wrong amount and asked me to scan a code for the refund',
      ['no', '1', 'no', 'no'],
    ],
  ] as const)(
    '(%s) is asked about once the screen says no, never left for the wrong-payment plan',
    (lang, story, screenNos) => {
      let { session, replies } = kit.engine.handle(
        undefined,
        { userId: 'u', text: story, lang },
        NOW,
      );
      expect(repliesText(replies)).toContain('110');
      let last = '';
      for (const text of screenNos) {
        ({ session, replies } = kit.engine.handle(
          session ?? undefined,
          { userId: 'u', text, lang },
          NOW,
        ));
        last = repliesText(replies);
      }
      expect(last).toMatch(CONFIRM[lang]);
      // "Yes" to it: the alarm and the scam plan's questions.
      const yes = kit.engine.handle(
        session ?? undefined,
        { userId: 'u', text: YES[lang], lang },
        NOW,
      );
      expect(repliesText(yes.replies)).toContain(ALARM[lang]);
      expect(yes.session?.facts.signalConfirmed).toBe(true);
    },
  );
});
