import { beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../src/core/commands.js';
import { createEngine, PIPELINE, type Answered, type Engine } from '../src/core/engine.js';
import { DEFAULT_HANDOFF_POLICY, type OperatorAction } from '../src/core/handoff.js';
import { repliesText } from '../src/core/replies.js';
import type { Session } from '../src/core/session.js';
import { loadKit, SCAM_WALK_ZH, type Kit } from './helpers.js';

let kit: Kit;
let engine: Engine;
beforeAll(async () => {
  kit = await loadKit();
  engine = createEngine(kit.flow, kit.translators, undefined, PIPELINE, {
    handoff: DEFAULT_HANDOFF_POLICY,
  });
});

const T0 = new Date('2026-11-28T04:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

/** A conversation on the engine with handoff on, keeping every outcome. */
function talk(on: () => Engine = () => engine, userId = 'u1') {
  let session: Session | undefined;
  const outcomes: Answered[] = [];
  const keep = (outcome: Answered) => {
    session = outcome.session ?? undefined;
    outcomes.push(outcome);
    return outcome;
  };
  return {
    say: (text: string, now = T0) => keep(on().handle(session, { userId, text }, now)),
    text: (text: string, now = T0) =>
      repliesText(keep(on().handle(session, { userId, text }, now)).replies),
    op: (action: OperatorAction, now = T0) => {
      const outcome = on().operate(session as Session, action, now);
      if (outcome) keep(outcome);
      return outcome;
    },
    get session() {
      return session;
    },
    outcomes,
  };
}

describe('asking for a person', () => {
  it.each([
    '人工',
    '真人',
    '转人工',
    '我要人工客服',
    '找人工客服',
    '有没有律师？',
    '能转人工吗',
    '有真人吗',
    '我想找个律师',
    'human',
    'Talk to a person',
    'can I speak to a human please',
    'I want a real person',
    'is there a lawyer?',
  ])('"%s" is a request for a person', (text) => {
    expect(parseCommand(text)).toEqual({ type: 'handoff' });
  });

  it.each(['律师', '有人', '有', 'a person', '律师说要起诉', '人工智能骗了我'])(
    '"%s" stays an answer (a fake 律师 is a scam\'s third party; 有人 answers "is anyone asking?")',
    (text) => {
      expect(parseCommand(text)?.type).not.toBe('handoff');
    },
  );

  it.each(['结束人工', '返回机器人', 'back to the bot'])('"%s" is the way back', (text) => {
    expect(parseCommand(text)).toEqual({ type: 'endHandoff' });
  });

  it('asks consent with what the volunteer will see, and shares nothing before a yes', () => {
    const c = talk();
    c.say('你好');
    c.say('不是');
    const asked = c.say('我要人工客服');
    const text = repliesText(asked.replies);
    expect(text).toContain('志愿者会看到下面这份案情摘要');
    expect(text).toContain('目前记录的情况');
    expect(text).toContain('回复「是」同意');
    expect(asked.handoff).toBeUndefined();
    expect(c.session?.handoff).toBeUndefined();
    const agreed = c.say('是');
    expect(c.session?.handoff).toMatchObject({ state: 'waiting', since: T0.toISOString() });
    const ref = c.session?.handoff?.ref ?? '';
    expect(ref).toMatch(/^[0-9a-f]{4}$/);
    expect(repliesText(agreed.replies)).toContain(`#${ref}`);
    expect(agreed.handoff).toEqual([
      { type: 'requested', ref, summary: expect.any(Array) as unknown },
    ]);
    expect(
      repliesText(agreed.handoff?.[0]?.type === 'requested' ? agreed.handoff[0].summary : []),
    ).toContain('现在有人要你再付钱');
  });

  it('as the very first message: the greeting, then the consent question', () => {
    const c = talk();
    const first = c.text('找人工客服');
    expect(first).toContain('「追回」助手');
    expect(first).toContain('目前还没有记录任何情况');
    expect(first).toContain('回复「是」同意');
    expect(c.say('是').handoff?.[0]?.type).toBe('requested');
  });

  it('a no (or anything but a yes) shares nothing and goes on with the question', () => {
    const c = talk();
    c.say('hello');
    c.say('talk to a person');
    const no = c.say('no thanks');
    expect(repliesText(no.replies)).toContain('nothing was shared');
    expect(repliesText(no.replies)).toContain('is anyone asking you right now to pay again');
    expect(no.handoff).toBeUndefined();
    expect(c.session?.handoff).toBeUndefined();
    expect(c.session?.pending).toBeUndefined();
  });

  it('without an operator side, says so and gives 12348 instead', () => {
    const c = talk(() => kit.engine);
    c.say('你好');
    const text = c.text('人工');
    expect(text).toContain('没有连接志愿者');
    expect(text).toContain('12348');
    expect(c.session?.pending).toBeUndefined();
  });
});

describe('while a person is asked for or holds the conversation', () => {
  function handedOver() {
    const c = talk();
    c.say('你好');
    c.say('不是');
    c.say('人工');
    c.say('是');
    return c;
  }

  it('the bot does not answer: the words go to the operator side', () => {
    const c = handedOver();
    const ref = c.session?.handoff?.ref;
    const relayed = c.say('微信转账，对方已经收款');
    expect(relayed.replies).toEqual([]);
    expect(relayed.handoff).toEqual([
      { type: 'user-message', ref, text: '微信转账，对方已经收款' },
    ]);
    // The flow did not move: the answer was for the person.
    expect(c.session?.stepId).toBe('payment-kind');
  });

  it('an operator takes it, speaks, and hands back; the bot then goes on where it was', () => {
    const c = handedOver();
    const ref = c.session?.handoff?.ref;
    const taken = c.op({ type: 'take', operator: '小李' }, minutes(2));
    expect(repliesText(taken?.replies ?? [])).toContain('志愿者已经接手');
    expect(taken?.handoff).toEqual([{ type: 'taken', ref, operator: '小李' }]);
    expect(c.session?.handoff).toMatchObject({ state: 'human', operator: '小李' });
    const words = c.op({
      type: 'say',
      operator: '小李',
      text: '你好 {{greeting}} $t(common:help)',
    });
    // The operator's words go out as typed: not read as words to translate.
    expect(repliesText(words?.replies ?? [])).toBe('志愿者：你好 {{greeting}} $t(common:help)');
    expect(c.say('好的谢谢').replies).toEqual([]);
    const done = c.op({ type: 'done', operator: '小李' });
    expect(repliesText(done?.replies ?? [])).toContain('志愿者已结束这次对话');
    expect(repliesText(done?.replies ?? [])).toContain('这笔钱是怎么付出去的');
    expect(done?.handoff).toEqual([{ type: 'ended', ref, reason: 'operator' }]);
    expect(c.session?.handoff).toBeUndefined();
    expect(c.text('微信转账，对方已经收款')).toContain('有没有人主动联系你');
  });

  it('summary, help, forget and the way back still work', () => {
    const c = handedOver();
    const ref = c.session?.handoff?.ref;
    expect(c.text('摘要')).toContain('目前记录的情况');
    expect(c.text('帮助')).toContain('结束人工');
    expect(c.text('删除我的数据')).toContain('确认要删除');
    expect(c.text('不')).toContain('没有删除');
    expect(c.session?.handoff?.state).toBe('waiting');
    c.say('删除我的数据');
    const erased = c.say('是');
    expect(erased.session).toBeNull();
    expect(erased.handoff).toEqual([{ type: 'ended', ref, reason: 'forget' }]);

    const d = handedOver();
    const dRef = d.session?.handoff?.ref;
    const back = d.say('结束人工');
    expect(repliesText(back.replies)).toContain('回到机器人');
    expect(repliesText(back.replies)).toContain('这笔钱是怎么付出去的');
    expect(back.handoff).toEqual([{ type: 'ended', ref: dRef, reason: 'user' }]);
  });

  it('nobody takes it in time: 12348 and the case so far, back to the bot', () => {
    const c = handedOver();
    const ref = c.session?.handoff?.ref;
    expect(c.op({ type: 'expire' }, minutes(9))).toBeUndefined();
    const out = c.op({ type: 'expire' }, minutes(10));
    const text = repliesText(out?.replies ?? []);
    expect(text).toContain('没有志愿者能接手');
    expect(text).toContain('12348');
    expect(text).toContain('目前记录的情况');
    expect(text).toContain('这笔钱是怎么付出去的');
    expect(out?.handoff).toEqual([{ type: 'ended', ref, reason: 'timeout' }]);
    expect(c.session?.handoff).toBeUndefined();
  });

  it('a user message after the wait ran out is answered by the timeout, not relayed', () => {
    const c = handedOver();
    const late = c.say('有人吗', minutes(30));
    expect(repliesText(late.replies)).toContain('12348');
    expect(late.handoff?.[0]).toMatchObject({ type: 'ended', reason: 'timeout' });
  });

  it('a long silence with a person returns to the bot (12 hours by default)', () => {
    const c = handedOver();
    c.op({ type: 'take', operator: '小李' }, minutes(1));
    c.say('谢谢', minutes(60));
    expect(c.op({ type: 'expire' }, minutes(60 + 12 * 60 - 1))).toBeUndefined();
    const out = c.op({ type: 'expire' }, minutes(60 + 12 * 60));
    expect(repliesText(out?.replies ?? [])).toContain('很久没有消息');
    expect(out?.handoff?.[0]).toMatchObject({ type: 'ended', reason: 'silence' });
  });

  it('a session stored before handoff existed is with the bot', () => {
    const c = talk();
    c.say('你好');
    const { handoff: _none, ...old } = c.session as Session;
    void _none;
    expect(
      engine.handle(old as Session, { userId: 'u1', text: '不是' }, T0).handoff,
    ).toBeUndefined();
    expect(engine.operate(old as Session, { type: 'take', operator: 'x' }, T0)).toBeUndefined();
  });
});

describe('safety stays first', () => {
  it('a request on the scam path starts with 110', () => {
    const c = talk();
    for (const text of SCAM_WALK_ZH) c.say(text);
    const text = c.text('人工');
    expect(text.indexOf('110')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('110')).toBeLessThan(text.indexOf('志愿者会看到'));
  });

  it('a scam phrase while nobody has taken the case gets the warning, and is flagged to the operators', () => {
    const c = talk();
    c.say('你好');
    c.say('不是');
    c.say('人工');
    c.say('是');
    const out = c.say('客服让我交解冻费才能退款');
    expect(repliesText(out.replies)).toMatch(/110|不要/);
    expect(out.handoff?.[0]).toMatchObject({
      type: 'user-message',
      alarm: expect.any(String) as unknown,
    });
    c.op({ type: 'take', operator: '小李' });
    const held = c.say('他又让我交解冻费');
    expect(held.replies).toEqual([]);
    expect(held.handoff?.[0]).toMatchObject({ alarm: expect.any(String) as unknown });
  });
});

describe('where a person is offered', () => {
  it('after the third unclear answer at a step', () => {
    const c = talk();
    c.say('你好');
    c.say('不是');
    expect(c.text('嗯嗯')).not.toContain('发「人工」');
    expect(c.text('嗯嗯')).not.toContain('发「人工」');
    const third = c.text('嗯嗯');
    expect(third).toContain('看来这一步不太好回答');
    expect(third).toContain('发「人工」');
    // Not without an operator side (the golden transcripts run so).
    const d = talk(() => kit.engine);
    d.say('你好');
    d.say('不是');
    d.say('嗯嗯');
    d.say('嗯嗯');
    expect(d.text('嗯嗯')).not.toContain('发「人工」');
  });

  it('at an end marked handoff: offer (a spouse’s money), after the plan, once', () => {
    const c = talk();
    const walk = [
      '你好',
      '不是',
      '4',
      '没有',
      '没有',
      '我老公瞒着我给小三转了钱',
      '是',
      '10月3日',
      '两万',
      '跳过',
      '不是',
      '不是，他是出轨',
    ];
    for (const text of walk) c.say(text);
    const plan = c.text('给第三者的');
    expect(c.session?.stepId).toBe('end-spouse');
    expect(plan).toContain('12348');
    expect(plan.indexOf('发「人工」')).toBeGreaterThan(plan.indexOf('法释〔2025〕1号'));
    expect(c.text('好的')).not.toContain('发「人工」');
  });

  it('not at an end that is not marked (the scam plan keeps 110 as its last word)', () => {
    const c = talk();
    let last = '';
    for (const text of SCAM_WALK_ZH) last = c.text(text);
    expect(c.session?.stepId).toBe('end-scam');
    expect(last).not.toContain('发「人工」');
  });
});
