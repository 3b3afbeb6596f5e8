import { describe, expect, it } from 'vitest';
import type { Session } from '../src/core/session.js';
import type { Lang } from '../src/shared/types.js';
import { walker } from './walk.js';

/**
 * Issue 21's "done when": none of the inputs quoted in ../shared/domain/review-2026-12-02.md
 * is misread. Each critical and major quote (N1–N5, N11–N13, N14) is said at the question
 * the review names, in the flow as it is now: a likely scam must be met with 110, the one
 * confirmation question, or the question asked again — never the honest reading; the honest
 * one (N11) may cost a question, never the scam plan.
 */
const w = walker(new Date('2026-12-02T04:00:00Z'));

const CONFIRM = { 'zh-CN': '先确认一下安全', en: 'A quick safety check' };
const ALARM = { 'zh-CN': '现在就拨打 110 报警', en: 'Call the police on 110 now' };
const sayAt = w.sayAt;

/** The scam is met: the alarm, the confirmation question, a warning naming 110, or asked again. */
function met(lang: Lang, stepId: string, reply: string, session: Session | undefined): boolean {
  return (
    reply.includes(ALARM[lang]) ||
    reply.includes(CONFIRM[lang]) ||
    reply.includes('110') ||
    session?.stepId === stepId
  );
}

const lang = (text: string): Lang => (/\p{Script=Han}/u.test(text) ? 'zh-CN' : 'en');

describe('the legal review of 2026-12-02: no quoted input is misread', () => {
  it.each([
    '没有人催，只是对方说可以退款，让我扫码',
    '没有，但是客服说我的账户被冻结了',
    '没有，对方说我操作失误要取消会员，不然每月扣费',
    'no, but they asked me to turn on screen share',
    'no, but someone from wechat said they can refund me if I install an app',
  ])('N1 at the first question: %s is never "nobody is pressing me"', (text) => {
    const { session, reply } = sayAt('urgent-check', lang(text), text);
    expect(session?.facts.beingPressed).not.toBe(false);
    expect(met(lang(text), 'urgent-check', reply, session), reply).toBe(true);
  });

  it.each(['zh-CN', 'en'] as const)('N2 (%s): "I was scammed" gets 110 at once', (l) => {
    const text = l === 'en' ? 'I was scammed' : '我被骗了';
    const { session, reply } = sayAt('what-happened', l, text);
    expect(session?.facts.situation).toBe('scam');
    expect(reply).toContain(ALARM[l]);
  });

  it.each([
    '有个陌生人给我转了500说转错了，让我退给他朋友',
    '对方说转错钱给我了，让我还到他指定的账户',
  ])('N3 at "what happened": %s is no wrong payment of the user', (text) => {
    const { session, reply } = sayAt('what-happened', 'zh-CN', text);
    expect(session?.facts.situation).not.toBe('wrong-recipient');
    expect(session?.facts.amount).toBeUndefined();
    expect(met('zh-CN', 'what-happened', reply, session), reply).toBe(true);
  });

  it.each(['不算骗吧，他说打赏了会返我一些', 'not really, he said he would pay me back double'])(
    'N4 at "were you deceived": %s is never "no"',
    (text) => {
      const { session, reply } = sayAt('d-deceived', lang(text), text);
      expect(session?.facts.deceived).not.toBe(false);
      expect(met(lang(text), 'd-deceived', reply, session), reply).toBe(true);
    },
  );

  it.each(['主播说好打赏后返双倍，结果没返', 'the streamer promised to send back double'])(
    'N5 at "what happened": %s is no undelivered promise',
    (text) => {
      const { session, reply } = sayAt('what-happened', lang(text), text);
      expect(session?.facts.situation).not.toBe('not-delivered');
      expect(met(lang(text), 'what-happened', reply, session), reply).toBe(true);
    },
  );

  it('N11: 95017 told an honest user to wait: one question at most, never the scam plan', () => {
    const { session, reply } = sayAt('ask-can-reach', 'zh-CN', '我打了95017，客服让我等对方回复');
    expect(reply).not.toContain(ALARM['zh-CN']);
    expect(session?.stepId).not.toBe('end-scam');
    expect(session?.facts.situation).not.toBe('scam');
    if (reply.includes(CONFIRM['zh-CN'])) {
      const after = w.say(session, '不是', 'zh-CN');
      expect(after.session?.stepId).not.toBe('end-scam');
      expect(after.reply).not.toContain(ALARM['zh-CN']);
    }
  });

  it.each(['zh-CN', 'en'] as const)('N12 (%s): "not sure" at the first question names 110', (l) => {
    const { session, reply } = sayAt('urgent-check', l, l === 'en' ? 'not sure' : '不确定');
    expect(session?.facts.beingPressed).toBe('unsure');
    expect(reply).toContain('110');
  });

  it.each([
    '客服说我开通了会员，不取消每月自动扣费',
    '对方说我的学生贷没注销，会影响征信',
    '快递客服说我的包裹丢了要理赔，让我扫码',
    '自称公安说我涉嫌洗钱，让我配合调查转账',
    '领导加我微信让我先帮他转一笔钱',
    '对方说给我退款，让我打开微信的备用金',
    '对方让我开通借呗花呗才能退款',
    '对方要我的银行卡号和验证码来退款',
    '他让我先转一点钱验证身份',
    '对方说给我退双倍',
    '对方让我下载APP',
    '我在抖音上找到一个帮忙追回的律师',
    'they want a deposit before the refund',
    'they asked for a service fee to get it back',
    'the refund needs an activation fee',
    'install a remote control app',
    'a lawyer online says he can recover it for 500 yuan',
    'someone from customer service says my account will be frozen',
    'the police said my account is involved in money laundering',
    'the loan platform wants a deposit before releasing the loan',
    'they want me to open a loan app to receive the refund',
  ])('N13 at "what happened": %s is met as a scam, never a loan', (text) => {
    const l = lang(text);
    const { session, reply } = sayAt('what-happened', l, text);
    expect(session?.facts.situation).not.toBe('loan');
    expect(reply.includes(ALARM[l]) || reply.includes(CONFIRM[l]), reply).toBe(true);
  });

  it('N14: 「我下载一个截图给你看」 at the name question is neither the scam plan nor a name', () => {
    const { session } = sayAt('ask-recipient', 'zh-CN', '我下载一个截图给你看');
    expect(session?.stepId).not.toBe('end-scam');
    expect(session?.facts.recipient).not.toBe('我下载一个截图给你看');
  });
});

describe("issue 21's quoted answers, at their questions, are not misread", () => {
  it('「唔係 冇人催我」 at the first question is never "someone is pressing me"', () => {
    const { session } = sayAt('urgent-check', 'zh-CN', '唔係 冇人催我');
    expect(session?.facts.beingPressed).not.toBe(true);
  });

  it('「骗倒是没骗」 at "were you deceived" is never "yes"', () => {
    const { session } = sayAt('d-deceived', 'zh-CN', '骗倒是没骗');
    expect(session?.facts.deceived).not.toBe(true);
  });

  it('「他把我拉黑了」 at "how was it paid" chooses no payment kind and is no scam', () => {
    const { session } = sayAt('payment-kind', 'zh-CN', '他把我拉黑了');
    expect(session?.facts.paymentKind).toBeUndefined();
    expect(session?.facts.situation).toBeUndefined();
  });
});
