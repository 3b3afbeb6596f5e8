import { beforeAll, describe, expect, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import { coveringPaths, enumeratePaths, type FlowPath } from '../src/flow/paths.js';
import { typedAnswer } from '../src/authoring/replay.js';
import type { Session } from '../src/core/session.js';
import type { Lang } from '../src/shared/types.js';
import { loadKit, type Kit } from './helpers.js';

const NOW = new Date('2026-11-28T04:00:00Z');
let kit: Kit;
let paths: FlowPath[];
beforeAll(async () => {
  kit = await loadKit();
  paths = coveringPaths(enumeratePaths(kit.flow, '2026-11-28'));
});

/** Walks a path up to `stepId` and returns the session there. */
function sessionAt(stepId: string, lang: Lang): Session {
  const path = paths.find((p) => p.steps.includes(stepId));
  if (!path) throw new Error(`no path reaches ${stepId}`);
  let session = kit.engine.handle(
    undefined,
    { userId: 'u', text: lang === 'en' ? 'hi' : '你好', lang },
    NOW,
  ).session;
  for (const answer of path.answers) {
    if (session?.stepId === stepId) break;
    const text = typedAnswer(kit.flow, kit.translators, lang, answer.stepId, answer.value);
    session = kit.engine.handle(session ?? undefined, { userId: 'u', text, lang }, NOW).session;
  }
  if (session?.stepId !== stepId) throw new Error(`did not reach ${stepId}`);
  return session;
}

// Intake steps gather the story: the warning, then the same question again.
const INTAKE = ['payment-kind', 'what-happened', 'ask-date', 'ask-amount'];
// At a text question the words are kept as the answer (a name), the warning shown, the plan made safe.
// Plan steps: a scam signal turns whatever plan was coming into the scam plan at once.
const PLAN = [
  'ask-can-reach',
  'c-age',
  'd-deceived',
  'end-wrong-payment',
  'end-regret',
  'end-minor',
  'c-platform',
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
    '对方说退款要先交10块钱',
    '有人加我说是微信官方可以帮我追回，要收服务费',
    '律师说可以帮我追回，先付500律师费',
    '网上找了个追款公司',
    '对方说我账户异常要我转到安全账户',
    '我把验证码告诉对方了',
    '对方说要刷流水才能提现',
    '打赏主播返现',
    // The reverse trick: "paid you by mistake, return it to another account".
    '有人说转错给我了，让我退到另一个账户',
    '对方说打错钱给我，要我退到他给的卡上',
  ],
  en: [
    'customer service called and said I must pay to unfreeze',
    'they asked me to pay a fee first',
    'it is a rebate thing',
    'they want me to share my screen',
    'they told me to pay a refund fee',
    'send my payment code so they can refund',
    'scan his qr code to get the refund',
    'download a meeting app',
    'I must pay 10 yuan first',
    'a recovery company can get it back for a fee',
    'move it to a safe account',
    'I gave them the SMS code',
    'they sent a refund link',
    'tip the streamer and get cashback',
    'someone says they paid me by mistake and wants it sent back to another account',
  ],
};

const POLITE = {
  'zh-CN': /先礼貌地联系收款人|联系收款人，把下面这段话|你可以把下面这段话发给对方/u,
  en: /contact the recipient|send them the message below/iu,
};

describe('scam interrupt', () => {
  describe.each(['zh-CN', 'en'] as const)('in %s', (lang) => {
    it.each(INTAKE)('fires at %s, warns, and asks the same question again', (stepId) => {
      const before = sessionAt(stepId, lang);
      for (const text of MESSAGES[lang]) {
        const { session, replies } = kit.engine.handle(before, { userId: 'u', text }, NOW);
        const all = repliesText(replies);
        expect(all, text).toContain('110');
        expect(all).toContain('96110');
        expect(all).toMatch(lang === 'en' ? /Do not pay anything more/ : /不要再付任何钱/);
        expect(session?.stepId).toBe(stepId);
        expect(session?.facts.scamSignal).toBe(true);
        // Nothing else changed: the message was not taken as an answer.
        expect({ ...session?.facts, scamSignal: undefined }).toEqual({
          ...before.facts,
          scamSignal: undefined,
        });
      }
    });

    it.each(PLAN)(
      'at %s, warns and turns the plan into the scam plan: 110 first, nothing sent to the other side',
      (stepId) => {
        const before = sessionAt(stepId, lang);
        for (const text of MESSAGES[lang]) {
          const { session, replies } = kit.engine.handle(before, { userId: 'u', text }, NOW);
          const all = repliesText(replies);
          expect(session?.stepId, text).toBe('end-scam');
          expect(all).toMatch(lang === 'en' ? /Call 110 now/ : /立即拨打 110/);
          expect(all).not.toMatch(POLITE[lang]);
          const summary = repliesText(
            kit.engine.handle(
              session ?? undefined,
              { userId: 'u', text: lang === 'en' ? 'summary' : '摘要' },
              NOW,
            ).replies,
          );
          expect(summary).toContain('110');
          expect(summary).not.toMatch(POLITE[lang]);
        }
      },
    );
  });

  it('does not fire on ordinary answers', () => {
    const before = sessionAt('ask-recipient', 'zh-CN');
    const { session } = kit.engine.handle(before, { userId: 'u', text: '我想要回退款的小店' }, NOW);
    expect(session?.facts.scamSignal).toBeUndefined();
    expect(session?.facts.recipient).toBe('我想要回退款的小店');
  });

  it('saves a recipient name that contains scam words, warns, and goes on to the scam plan', () => {
    const before = sessionAt('ask-recipient', 'zh-CN');
    const { session, replies } = kit.engine.handle(
      before,
      { userId: 'u', text: '返利小助手' },
      NOW,
    );
    expect(session?.facts.recipient).toBe('返利小助手');
    expect(session?.facts.scamSignal).toBe(true);
    expect(session?.stepId).toBe('end-scam');
    expect(repliesText(replies)).toContain('返利小助手');
  });

  it('does not take the real WeChat Pay line for a scam', () => {
    const before = sessionAt('ask-can-reach', 'zh-CN');
    const { session } = kit.engine.handle(
      before,
      { userId: 'u', text: '95017客服说微信没法退' },
      NOW,
    );
    expect(session?.facts.scamSignal).toBeUndefined();
  });

  it('at the urgent question, a clear yes with scam words is taken as the answer, after the warning', () => {
    const before = sessionAt('urgent-check', 'zh-CN');
    const { session, replies } = kit.engine.handle(
      before,
      { userId: 'u', text: '是，客服让我交解冻费' },
      NOW,
    );
    expect(session?.stepId).toBe('payment-kind');
    expect(session?.facts.beingPressed).toBe(true);
    expect(repliesText(replies)).toContain('请马上停止付款');
  });

  it.each([
    '不是，客服让我先交解冻费',
    '没有转，但对方让我交保证金才能退款',
    '不知道，他说要我再转一笔验证金',
  ])(
    'at the urgent question, "%s" is a scam signal with a warning, never "nobody is pressing me"',
    (text) => {
      const before = sessionAt('urgent-check', 'zh-CN');
      const { session, replies } = kit.engine.handle(before, { userId: 'u', text }, NOW);
      expect(repliesText(replies)).toContain('110');
      expect(session?.facts.scamSignal).toBe(true);
      expect(session?.facts.beingPressed).not.toBe(false);
    },
  );
});
