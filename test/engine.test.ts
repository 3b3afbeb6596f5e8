import { beforeAll, describe, expect, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import { compileFlow } from '../src/flow/compile.js';
import { parseFlow } from '../src/flow/load.js';
import { createEngine, detectLanguage, PIPELINE } from '../src/core/engine.js';
import { say, type Handler } from '../src/core/turn/turn.js';
import { evaluate } from '../src/flow/conditions.js';
import { chat, loadKit, type Kit } from './helpers.js';

let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});

describe('engine', () => {
  it('greets in the language of the first message and asks the first question', () => {
    const zh = chat(kit.engine).say('你好');
    expect(zh).toContain('「追回」助手');
    expect(zh).toContain('12348');
    expect(zh).toContain('现在有没有人要你再付钱');
    const en = chat(kit.engine).say('hello');
    expect(en).toContain("I'm the zhuihui");
    expect(en).toContain('is anyone asking you right now to pay again');
  });

  it('a behaviour added to the pipeline is one handler: it answers its turns, the rest pass on', () => {
    const thanks: Handler = (turn, next) => {
      const step = turn.session && turn.kit.flow.step(turn.session.stepId);
      if (step?.type !== 'end' || turn.inbound.text !== '谢谢') return next(turn);
      return { session: turn.session ?? null, replies: [say(turn.t('common:help'))] };
    };
    const at = PIPELINE.findIndex((h) => h.name === 'command') + 1;
    const engine = createEngine(kit.flow, kit.translators, undefined, [
      ...PIPELINE.slice(0, at),
      thanks,
      ...PIPELINE.slice(at),
    ]);
    const c = chat(engine);
    for (const text of ['你好', '不是', '3', '没有', '没有']) c.say(text);
    expect(c.session?.stepId).toBe('end-transfer-pending');
    expect(c.say('谢谢')).toContain('你可以随时发送');
    // Elsewhere the handler passes the turn on: "谢谢" at a question is an unclear answer.
    const d = chat(engine);
    d.say('你好');
    expect(d.say('谢谢')).not.toContain('你可以随时发送');
    expect(d.session?.stepId).toBe('urgent-check');
  });

  it.each([
    ['你好', 'zh-CN'],
    ['hi', 'en'],
    ['500', 'zh-CN'],
    ['🙂', 'zh-CN'],
    ['I paid 五百', 'zh-CN'],
  ])('detects %s as %s', (text, lang) => expect(detectLanguage(text)).toBe(lang));

  it('routes an urgent "someone is pressing me" answer to scam advice at once', () => {
    const c = chat(kit.engine);
    c.say('你好');
    const reply = c.say('是，他一直让我交解冻费');
    expect(reply).toContain('110');
    expect(reply).toContain('96110');
    expect(reply).toContain('这笔钱是怎么付出去的');
  });

  it('a 赞赏 to the wrong person is a gift: revocation through a court within 90 days, no unjust enrichment', () => {
    const c = chat(kit.engine);
    // ¥500 by 赞赏码 is more than one 赞赏: the user is asked whether it was several payments.
    for (const text of [
      '你好',
      '不是',
      '赞赏码',
      '没有',
      '没有',
      '付错人了',
      '2026-11-20',
      '五百块',
      '一笔',
      '小王',
    ])
      c.say(text);
    const plan = c.say('是');
    expect(plan).toContain('重大误解');
    expect(plan).toContain('人民法院或者仲裁机构');
    expect(plan).toContain('2027年2月18日');
    expect(plan).not.toContain('不当得利');
    expect(plan.indexOf('最要紧：在 2027年2月18日 之前')).toBeLessThan(plan.indexOf('联系收款人'));
  });

  it("walks the wrong-recipient branch to a plan with the user's facts and the 3-year date", () => {
    const c = chat(kit.engine);
    c.say('你好');
    c.say('不是');
    c.say('微信转账，对方已经收款');
    c.say('没有');
    c.say('没有');
    c.say('付错人了');
    c.say('2026-11-20');
    c.say('五百块');
    c.say('小王');
    const plan = c.say('是');
    expect(plan).toContain('不当得利');
    expect(plan).toContain('2029年11月20日');
    expect(plan).toContain('¥500');
    expect(plan).toContain('95017');
    expect(c.session?.stepId).toBe('end-wrong-payment');
  });

  it('¥20,000 "by 赞赏码" is asked about: several payments are then said in the texts (review (b) 12)', () => {
    const c = chat(kit.engine);
    for (const text of ['你好', '不是', '赞赏码', '没有', '没有', '付错人了', '2026-11-20'])
      c.say(text);
    expect(c.say('两万')).toContain('是一笔付款，还是分好几笔付的');
    expect(c.say('是，分了好几笔')).toContain('最后一笔是哪一天付的');
    for (const text of ['跳过', '小王']) c.say(text);
    const plan = c.say('是');
    expect(c.session?.facts.severalPayments).toBe(true);
    expect(plan).toContain('分多笔');
    expect(plan).not.toMatch(/在 2026年11月20日 通过微信赞赏码给您付了/);
  });

  it('a user outside the mainland is told once which rules these are, and the answer is still taken (review (b) 17)', () => {
    const c = chat(kit.engine);
    for (const text of ['你好', '不是', '赞赏码', '没有', '没有', '付错人了', '2026-11-20'])
      c.say(text);
    const first = c.say('我在香港，付了500块');
    expect(first).toContain('都是中国大陆的');
    expect(c.session?.facts.amount).toBe(500);
    expect(c.session?.stepId).toBe('ask-several');
    expect(c.session?.facts.outsideMainland).toBe(true);
    const again = c.say('不是，就一笔，人还在香港');
    expect(again).not.toContain('都是中国大陆的');
    expect(c.session?.facts.severalPayments).toBe(false);
    expect(c.session?.facts.amount).toBe(500);
  });

  it('shows the 90-day date for a mistyped amount, in English', () => {
    const c = chat(kit.engine);
    c.say('hi');
    c.say('no');
    c.say('1');
    c.say('no');
    c.say('no');
    c.say('I typed the wrong amount');
    c.say('2026-11-20');
    expect(c.say('¥1,500')).toContain('one payment, or several');
    c.say('just one');
    c.say('15');
    c.say('skip');
    const plan = c.say('no');
    expect(plan).toContain('gross misunderstanding');
    expect(plan).toContain('February 18, 2027');
    expect(plan).toContain('CN¥1,500');
    expect(plan).toContain("the bill does not show the recipient's name yet");
    expect(c.session?.stepId).toBe('end-wrong-payment');
  });

  it('re-prompts specifically, and after three failures shows the question again with help', () => {
    const c = chat(kit.engine);
    c.say('你好');
    c.say('不是');
    c.say('1');
    c.say('没有');
    c.say('没有');
    c.say('2');
    expect(c.say('很久以前')).toContain('我没看懂这个日期');
    expect(c.say('2099-01-01')).toContain('这个日期在今天之后');
    const third = c.say('那天下雨');
    expect(third).toContain('帮助');
    expect(third).toContain('是哪一天付的款');
    expect(c.session?.stepId).toBe('ask-date');
    expect(c.session?.failures).toBe(0);
  });

  it('a choice re-prompt names the number range', () => {
    const c = chat(kit.engine);
    c.say('hi');
    c.say('no');
    expect(c.say('banana')).toContain('1 to 9');
  });

  it('back undoes the last answer and keeps the earlier ones', () => {
    const c = chat(kit.engine);
    c.say('你好');
    c.say('不是');
    c.say('赞赏码');
    c.say('没有');
    c.say('没有');
    c.say('付错人了');
    const reply = c.say('返回');
    expect(reply).toContain('撤回了上一个回答');
    expect(reply).toContain('发生了什么');
    expect(c.session?.stepId).toBe('what-happened');
    expect(c.session?.facts).toEqual({
      beingPressed: false,
      paymentKind: 'reward-code',
      refundOffer: false,
      promisedReturn: false,
    });
    for (let i = 0; i < 4; i++) c.say('上一步');
    expect(c.say('上一步')).toContain('已经是第一个问题了');
  });

  it('restart clears the answers and starts again', () => {
    const c = chat(kit.engine);
    c.say('hi');
    c.say('no');
    const reply = c.say('restart');
    expect(reply).toContain("let's start from the beginning");
    expect(c.session?.stepId).toBe('urgent-check');
    expect(c.session?.facts).toEqual({});
  });

  it('switches language and shows the current question in the new language', () => {
    const c = chat(kit.engine);
    c.say('你好');
    c.say('不是');
    const reply = c.say('语言 English');
    expect(reply).toContain('Switched to English');
    expect(reply).toContain('How did the money go?');
    expect(c.session?.lang).toBe('en');
    expect(c.say('lang zh')).toContain('这笔钱是怎么付出去的');
    expect(c.say('lang fr')).toContain('中文和英文');
  });

  it("summary lists the facts collected so far in the user's language", () => {
    const c = chat(kit.engine);
    c.say('hi');
    expect(c.say('summary')).toContain('Nothing has been recorded yet');
    c.say('no');
    c.say('4');
    const summary = c.say('summary');
    expect(summary).toContain('How you paid: I sent a WeChat transfer and they accepted it');
    expect(summary).toContain(
      'Someone is now asking you to pay again, scan a code or give a code: no',
    );
  });

  it('forget asks for confirmation, then erases the session', () => {
    const c = chat(kit.engine);
    c.say('你好');
    c.say('不是');
    expect(c.say('删除我的数据')).toContain('确认要删除');
    expect(c.say('算了')).toContain('没有删除任何内容');
    expect(c.session?.stepId).toBe('payment-kind');
    c.say('forget');
    expect(c.say('是')).toContain('已删除');
    expect(c.session).toBeNull();
  });

  it('an ended conversation says how to go on', () => {
    const c = chat(kit.engine);
    c.say('hi');
    c.say('no');
    c.say('3');
    c.say('no');
    c.say('no');
    expect(c.session?.stepId).toBe('end-transfer-pending');
    expect(c.say('thanks')).toContain('"restart"');
  });
});

describe('flow changes', () => {
  const v1 = `
id: reward-code-recovery
start: urgent-check
steps:
  urgent-check: { type: input, input: yesno, fact: beingPressed, next: ask-date }
  ask-date: { type: input, input: date, fact: paidOn, next: old-step }
  old-step: { type: input, input: money, fact: amount, next: end-regret }
  end-regret: { type: end }
`;
  const v2 = `
id: reward-code-recovery
start: urgent-check
steps:
  urgent-check: { type: input, input: yesno, fact: beingPressed, next: ask-date }
  ask-date: { type: input, input: date, fact: paidOn, next: ask-amount }
  ask-amount: { type: input, input: money, fact: amount, next: end-regret }
  end-regret: { type: end }
`;

  it('restarts with an explanation and keeps the facts whose steps still exist', () => {
    const old = createEngine(compileFlow(parseFlow(v1, 'v1.yaml'), 'v1'), kit.translators);
    const c = chat(old);
    c.say('你好');
    c.say('不是');
    c.say('昨天');
    expect(c.session?.stepId).toBe('old-step');

    const updated = createEngine(compileFlow(parseFlow(v2, 'v2.yaml'), 'v2'), kit.translators);
    const outcome = updated.handle(
      c.session ?? undefined,
      { userId: 'u1', text: '500' },
      new Date('2026-11-28T04:00:00Z'),
    );
    expect(repliesText(outcome.replies)).toContain('这份指南已经更新');
    // The message answered the old question, so it is not applied to the new one.
    expect(outcome.session?.stepId).toBe('ask-amount');
    expect(outcome.session?.facts).toEqual({ beingPressed: false, paidOn: '2026-11-27' });
    expect(outcome.session?.flowHash).toBe('v2');
  });

  it('continues silently when the saved step still exists', () => {
    const old = createEngine(compileFlow(parseFlow(v2, 'v2.yaml'), 'a'), kit.translators);
    const c = chat(old);
    c.say('你好');
    c.say('不是');
    const same = createEngine(compileFlow(parseFlow(v2, 'v2.yaml'), 'b'), kit.translators);
    const outcome = same.handle(
      c.session ?? undefined,
      { userId: 'u1', text: '昨天' },
      new Date('2026-11-28T04:00:00Z'),
    );
    expect(repliesText(outcome.replies)).not.toContain('这份指南已经更新');
    expect(outcome.session?.stepId).toBe('ask-amount');
  });
});

describe('date conditions', () => {
  it('a skipped optional date ("") is no date: no distance holds, nothing throws', () => {
    const facts = { lastPaidOn: '' };
    for (const condition of [
      { daysSinceMoreThan: { fact: 'lastPaidOn', days: 90 } },
      { daysSinceAtMost: { fact: 'lastPaidOn', days: 90 } },
      { yearsSinceMoreThan: { fact: 'lastPaidOn', years: 5 } },
    ])
      expect(evaluate(condition, facts, '2026-11-28')).toBe(false);
    expect(
      evaluate(
        { yearsSinceMoreThan: { fact: 'paidOn', years: 5 } },
        { paidOn: '2020-01-01' },
        '2026-11-28',
      ),
    ).toBe(true);
  });
});
