import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chat, loadKit, spawnMain, type Kit } from './helpers.js';

/**
 * Issue 21, deliverable 3, through the engine as the chat uses it (the clock of `chat`:
 * 2026-11-28, a Saturday in Shanghai): an opening story gives every fact it states, read
 * back at once; a correction at any step changes the fact it names and is read back; a
 * correction is never stored as another fact.
 */
let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});

function open(text: string, lang: 'zh-CN' | 'en' = 'zh-CN') {
  const c = chat(kit.engine, { lang });
  const reply = c.say(text);
  return { c, reply, facts: c.session?.facts ?? {} };
}

/** From the greeting to the question of `stepId`, answering the screens "no". */
function walkTo(lines: string[], lang: 'zh-CN' | 'en' = 'zh-CN') {
  const c = chat(kit.engine, { lang });
  let reply = '';
  for (const line of lines) reply = c.say(line);
  return { c, reply };
}

describe('an opening story gives every fact it states', () => {
  it('「连打赏了三次 每次两百」: several payments, the total 600, read back; neither is asked', () => {
    const { c, reply, facts } = open('给一个公众号连打赏了三次 每次两百');
    expect(facts.severalPayments).toBe(true);
    expect(facts.amount).toBe(600);
    expect(reply).toContain('我记下了');
    expect(reply).toContain('¥600');
    // On through the screens: the count and the amount questions are not asked again.
    const rest = ['不是', '1', '不是', '不是', '后悔了', '上周五'].map((l) => c.say(l)).join('\n');
    expect(rest).not.toContain('是一笔付款，还是分好几笔付的');
    expect(rest).not.toContain('这笔付款是多少钱');
  });

  it('"meant to send 20 but I typed 2000": wrong amount, 2000 paid, 20 meant', () => {
    const { reply, facts } = open('meant to send 20 but I typed 2000', 'en');
    expect(facts).toMatchObject({ situation: 'wrong-amount', amount: 2000, intendedAmount: 20 });
    expect(reply).toContain('¥2,000');
    expect(reply).toContain('¥20');
  });

  it('"two extra zeros" and 「多按了两个0」 are a wrong amount, and give the amount meant', () => {
    expect(open('I typed two extra zeros and paid 500', 'en').facts).toMatchObject({
      situation: 'wrong-amount',
      amount: 500,
      intendedAmount: 5,
    });
    expect(open('扫码的时候多按了两个0，付了800').facts).toMatchObject({
      situation: 'wrong-amount',
      amount: 800,
      intendedAmount: 8,
    });
  });

  it('the payment date, not the day the user found out', () => {
    expect(open('上周五扫赞赏码付错人了500，昨天才发现').facts.paidOn).toBe('2026-11-20');
    expect(
      open('Sent 300 to the wrong person on Nov 18, only noticed yesterday', 'en').facts,
    ).toMatchObject({ paidOn: '2026-11-18', amount: 300 });
  });

  it('blocked, a child and its age, an impaired elder: yes/no facts from the story', () => {
    expect(open('转错人了200块，他把我拉黑了').facts.canReach).toBe(false);
    expect(open('I paid the wrong person 300 and they blocked me', 'en').facts.canReach).toBe(
      false,
    );
    expect(open('我女儿今年13岁，用她自己的微信给主播打赏了1500').facts).toMatchObject({
      situation: 'minor',
      childAccount: 'own',
      childAge: 'from-8-to-17',
    });
    expect(open('我妈有老年痴呆，看直播给主播打赏了两万').facts).toMatchObject({
      situation: 'elderly',
      elderImpaired: true,
    });
  });

  it('negations and hedges are not the fact they deny', () => {
    // 「唔係 冇人催我」: not pressed — and a story never answers a screen, so it is asked.
    const pressed = open('唔係 冇人催我 就是转错人了');
    expect(pressed.facts.beingPressed).toBeUndefined();
    expect(pressed.reply).toContain('最要紧的先问');
    expect(open('骗倒是没骗 就是一时冲动打赏了主播500').facts.deceived).toBeUndefined();
    expect(open('给女儿发红包 结果发到了工作群里').facts.situation).toBeUndefined();
    // An impostor asking to borrow is a scam, not a loan.
    expect(open('冒充我表哥的人微信找我借钱').facts.situation).toBe('scam');
  });

  it('a story never answers a safety screen "no", whatever it says', () => {
    for (const text of [
      '没人催我，也没人说能帮我退款，就是付错人了',
      'nobody is pressing me and nobody offered a refund, I just paid the wrong person',
    ]) {
      const { facts } = open(text, /[a-z]/.test(text) ? 'en' : 'zh-CN');
      expect(facts.beingPressed).toBeUndefined();
      expect(facts.refundOffer).toBeUndefined();
      expect(facts.promisedReturn).toBeUndefined();
    }
  });
});

describe('a correction at any step changes the fact it names, read back', () => {
  it('a correction never takes the conversation off the scam plan (fresh review, finding 3)', () => {
    const { c } = walkTo(['你好', '不是', '1', '没有', '没有', '1', '是']);
    expect(c.session?.facts.situation).toBe('scam');
    const reply = c.say('不是他 是他老婆收的钱');
    expect(c.session?.facts.situation).toBe('scam');
    expect(reply).toContain('继续按可能被骗来处理');
    // A correction of a fact the scam plan does not read still applies.
    const at = c.session?.stepId;
    c.say('昨天');
    c.say('500');
    expect(c.say('不对不对 应该是800')).toContain('改好了');
    expect(c.session?.facts.amount).toBe(800);
    expect(c.session?.facts.situation).toBe('scam');
    expect(at).toBe('ask-date');
  });

  const toRecipient = ['你好', '不是', '2', '不是', '不是', '付错人了', '昨天', '500'];

  it('"oh wait, it was 200 not 500" at the name question changes the amount, not the name', () => {
    const { c } = walkTo(toRecipient);
    expect(c.session?.stepId).toBe('ask-recipient');
    const reply = c.say('oh wait, it was 200 not 500');
    expect(reply).toContain('改好了');
    expect(reply).toContain('¥200');
    expect(c.session?.facts.amount).toBe(200);
    expect(c.session?.facts.recipient).toBeUndefined();
  });

  it('「名字那栏是空的」 is no name: stored as not given, never copied into the texts', () => {
    const { c } = walkTo(toRecipient);
    // The scam signal by meaning may ask its safety question first (a false alarm of the
    // signal model on this sentence); after "no" the sentence is read as the answer.
    if (c.say('名字那栏是空的').includes('先确认一下安全')) {
      c.say('不是');
      c.say('名字那栏是空的');
    }
    expect(c.session?.stepId).toBe('ask-can-reach');
    expect(c.session?.facts.recipient).toBe('');
    const plan = ['是'].map((l) => c.say(l)).join('\n') + c.say('摘要');
    expect(plan).not.toContain('名字那栏');
  });

  it('「日期不对，是上个月15号付的」 changes the payment date and reads it back', () => {
    const { c } = walkTo([...toRecipient, '小王']);
    const reply = c.say('日期不对，是上个月15号付的');
    expect(reply).toContain('改好了');
    expect(reply).toContain('2026年10月15日');
    expect(c.session?.facts.paidOn).toBe('2026-10-15');
  });

  it('"the name was wrong, it is Li Ming" changes the recipient after it was given', () => {
    const { c } = walkTo(
      ['hi', 'no', '2', 'no', 'no', 'paid the wrong person', 'yesterday', '500', 'Xiao Wang'],
      'en',
    );
    const reply = c.say('the name was wrong, it is Li Ming');
    expect(reply).toContain('Corrected');
    expect(c.session?.facts.recipient).toBe('Li Ming');
  });

  it('a date in Chinese numerals is never read as an amount (「十月八号」 is not ¥10)', () => {
    const { c } = walkTo([...toRecipient, '小王']);
    c.say('我记错了 是十月八号付的');
    expect(c.session?.facts.amount).toBe(500);
  });

  it('a name is still a name: 「显示的是李记水果店」 is stored as written; 「看不到名字」 is none', () => {
    const { c } = walkTo(toRecipient);
    c.say('显示的是李记水果店');
    expect(c.session?.facts.recipient).toBe('李记水果店');
    const other = walkTo(toRecipient).c;
    other.say('看不到名字');
    expect(other.session?.facts.recipient).toBe('');
  });
});

describe('the console, piped (a real process)', () => {
  it('a story gives its facts, a correction changes one, and the plan shows the new value', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-stories-'));
    try {
      const lines = [
        '给一个公众号作者连着赞赏了三次 每次两百 后来他把我拉黑了',
        '不是',
        '1',
        '不是',
        '不是',
        '后悔了',
        '跳过',
        '金额错了 应该是900',
        '收款方那栏没写名字',
        '摘要',
        '',
      ];
      const r = await spawnMain(
        ['chat', '--lang', 'zh-CN'],
        { DATA_DIR: dataDir },
        lines.map((l) => `${l}\n`).join(''),
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('¥600');
      expect(r.stdout).not.toContain('是一笔付款，还是分好几笔付的');
      expect(r.stdout).not.toContain('你现在还能私下联系到收款人吗');
      expect(r.stdout).not.toContain('收款方那栏');
      // The correction is read back, changes the amount only, and the case file shows it.
      expect(r.stdout).toContain('改好了：\n• 金额：¥900');
      expect(r.stdout.split('目前记录的情况').at(-1)).toContain('¥900');
      expect(r.stdout.split('目前记录的情况').at(-1)).toContain('自愿给的，现在后悔了');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
