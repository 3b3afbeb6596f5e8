import { beforeAll, describe, expect, it } from 'vitest';
import { chat, loadKit, type Kit } from './helpers.js';

/**
 * Commands said in a sentence, through the engine (src/core/turn/command-meaning.ts): taken
 * when the classifier is sure, shown back with the command's word when it is not, never
 * instead of an answer the question understands, and "forget" never without its confirmation.
 */
let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});

/** A conversation at the payment-kind question (a choice). */
function atPaymentKind(lang: 'zh-CN' | 'en') {
  const c = chat(kit.engine, { lang });
  c.say(lang === 'en' ? 'hello' : '你好');
  c.say(lang === 'en' ? 'no' : '没有');
  expect(c.session?.stepId).toBe('payment-kind');
  return c;
}

describe('commands by meaning', () => {
  it('a sure reading runs the command: the summary, in a sentence', () => {
    const c = atPaymentKind('zh-CN');
    expect(c.say('把目前记下的情况给我看看')).toContain('目前记录的情况');
  });

  it.each(['重新开始吧我都乱了', '重新开始付款吗', '要不要重新来一遍'])(
    'starting over by meaning (%s) is only shown back: it would lose every answer',
    (text) => {
      const c = atPaymentKind('zh-CN');
      const before = c.session;
      const said = c.say(text);
      expect(said).not.toContain('好的，我们从头开始');
      expect(c.session?.facts).toEqual(before?.facts);
      expect(c.session?.stepId).toBe(before?.stepId);
    },
  );

  it('"forget" by meaning asks its own confirmation and erases nothing yet', () => {
    const c = atPaymentKind('zh-CN');
    const said = c.say('把我的信息删了');
    expect(said).toContain('确认要删除这里保存的关于你的全部信息吗');
    expect(c.session?.pending).toBe('confirm-forget');
    expect(c.session?.facts.beingPressed).toBe(false);
  });

  it('a reading between the thresholds is shown back with the word to send; nothing runs', () => {
    const c = atPaymentKind('zh-CN');
    const before = c.session;
    // A guess at "forget" least of all runs: it names the words to send.
    const said = c.say('我想删掉');
    expect(said).toContain('你是想删除关于你的所有信息吗？是的话请发「删除我的数据」');
    expect(c.session?.stepId).toBe(before?.stepId);
    expect(c.session?.facts).toEqual(before?.facts);
    expect(c.session?.pending).toBeUndefined();
  });

  it('an answer the question understands is an answer, not a command', () => {
    const c = atPaymentKind('zh-CN');
    const at = c.session?.stepId;
    c.say('重新看了一下 我是扫的赞赏码');
    expect(c.session?.facts.paymentKind).toBe('reward-code');
    expect(c.session?.stepId).not.toBe(at);
    expect(c.session?.history.length).toBeGreaterThan(0);
  });

  it('a short answer is never a command', () => {
    const c = atPaymentKind('en');
    // "9" is the option "not sure": read as the answer, never as a command.
    c.say('9');
    expect(c.session?.pending).toBeUndefined();
    expect(c.session?.facts.paymentKind).toBe('not-sure');
  });
});
