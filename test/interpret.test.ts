import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/core/commands.js';
import { mentions, parseChoice } from '../src/core/interpret/choice.js';
import { parseDate } from '../src/core/interpret/date.js';
import { interpretInput } from '../src/core/interpret/index.js';
import { parseMoney, readMoney } from '../src/core/interpret/money.js';
import { parseYesNo, parseYesNoStrict } from '../src/core/interpret/yesno.js';
import { todayIn } from '../src/shared/calendar.js';

describe('money', () => {
  it.each([
    ['500', 500],
    ['¥500', 500],
    ['￥500', 500],
    ['500元', 500],
    ['500块钱', 500],
    ['五百块', 500],
    ['1.5万', 15000],
    ['两千三', 2300],
    ['一万五', 15000],
    ['三百五', 350],
    ['两百', 200],
    ['转错了五百块', 500],
    ['1,200', 1200],
    ['rmb 88.8', 88.8],
    ['3k', 3000],
    ['５００', 500],
    ['12月3日转了500', 500],
    ['三天前转了500', 500],
    ['昨天下午3点转了200', 200],
    ['500 yuan', 500],
  ])('%s → %d', (text, expected) => expect(parseMoney(text)).toBe(expected));

  it.each(['abc', '0', '', '一个人', '100还是200', '-', '🙂'])('%s is not understood', (text) => {
    expect(parseMoney(text)).toBeUndefined();
  });
});

describe('money as people write it', () => {
  it.each([
    ['八十八块八', 88.8],
    ['5毛', 0.5],
    ['三块五毛', 3.5],
    ['12块5', 12.5],
    ['100块5毛', 100.5],
    ['五块五', 5.5],
    ['五元五角', 5.5],
    ['5百', 500],
    ['1千3', 1300],
    ['2万5', 25000],
    ['伍佰', 500],
    ['贰仟', 2000],
    ['一点五万', 15000],
    ['三点五', 3.5],
    ['.5', 0.5],
    ['一千零五十', 1050],
    ['500，本来只想打5块', 500],
    ['I paid 500 instead of 5', 500],
    ['昨天下午3点转了200', 200],
    ['二十五万', 250000],
  ])('%s → %d', (text, expected) =>
    expect(readMoney(text)).toMatchObject({ ok: true, value: expected }),
  );

  it('keeps the amount the user meant to pay apart from the one paid', () => {
    expect(readMoney('500，本来只想打5块')).toEqual({ ok: true, value: 500, intended: 5 });
    expect(readMoney('本来想付5块多打了两个0付了500')).toEqual({
      ok: true,
      value: 500,
      intended: 5,
    });
  });

  it.each([
    ['五六百', 'moneyRange'],
    ['两三百', 'moneyRange'],
    ['几百', 'moneyRange'],
    ['大概三百多', 'moneyRange'],
    ['四五百', 'moneyRange'],
    ['半万', 'moneyRange'],
    ['300-400', 'moneyRange'],
    ['500 200', 'moneyTwo'],
    ['$50', 'moneyCurrency'],
    ['50美元', 'moneyCurrency'],
    ['50刀', 'moneyCurrency'],
    ['HK$100', 'moneyCurrency'],
    ['-500', 'moneyNotPositive'],
    ['0', 'moneyNotPositive'],
    ['一亿', 'moneyTooLarge'],
    ['<script>alert(1)</script>', 'money'],
    ['一亿天前', 'money'],
  ])('%s is asked again (%s), never guessed', (text, reason) =>
    expect(readMoney(text)).toMatchObject({ ok: false, reason }),
  );
});

describe('dates (today is 2026-11-28 in Asia/Shanghai)', () => {
  const today = '2026-11-28';
  it.each([
    ['2026-11-20', '2026-11-20'],
    ['2026/11/20', '2026-11-20'],
    ['11月20日', '2026-11-20'],
    ['今天', '2026-11-28'],
    ['昨天', '2026-11-27'],
    ['前天', '2026-11-26'],
    ['3天前', '2026-11-25'],
    ['三天前', '2026-11-25'],
    ['上周五', '2026-11-20'],
    ['20号', '2026-11-20'],
    ['29号', '2026-10-29'],
    ['yesterday', '2026-11-27'],
    ['3 days ago', '2026-11-25'],
    ['2 weeks ago', '2026-11-14'],
    ['Nov 20', '2026-11-20'],
    ['12月20日', '2025-12-20'],
  ])('%s → %s', (text, expected) =>
    expect(parseDate(text, today)).toEqual({ ok: true, value: expected }),
  );

  it.each([
    // Sunday 2026-11-29: weeks run Monday to Sunday.
    ['上周日', '2026-11-22'],
    ['上周五', '2026-11-20'],
    ['上周一', '2026-11-16'],
    ['上星期六', '2026-11-21'],
    ['上上周五', '2026-11-13'],
    ['周五', '2026-11-27'],
    ['上个月15号', '2026-10-15'],
    ['这个月20号', '2026-11-20'],
    ['11.20', '2026-11-20'],
    ['11/20', '2026-11-20'],
    ['双十一', '2026-11-11'],
    ['20号晚上', '2026-11-20'],
    ['the 20th', '2026-11-20'],
    ['two weeks ago', '2026-11-15'],
    ['last Tuesday', '2026-11-24'],
    ['我昨天付的', '2026-11-28'],
  ])('on Sunday 2026-11-29, %s → %s', (text, expected) =>
    expect(parseDate(text, '2026-11-29')).toEqual({ ok: true, value: expected }),
  );

  it.each([
    ['半个月前', 'dateVague'],
    ['月初', 'dateVague'],
    ['中旬', 'dateVague'],
    ['月底', 'dateVague'],
    ['last month', 'dateVague'],
    ['last week', 'dateVague'],
    ['2010-05-01', 'dateTooOld'],
    ['十亿天前', 'dateTooOld'],
    ['0001-01-01', 'dateTooOld'],
    ['9007199254740993 days ago', 'date'],
    ['10000年1月1日', 'date'],
    ['-2000-01-01', 'date'],
    ['next friday', 'date'],
    ['我不记得20号还是21号', 'date'],
    ['2月30日', 'date'],
  ])('%s is refused with a reason (%s), never guessed', (text, reason) =>
    expect(parseDate(text, '2026-11-29')).toMatchObject({ ok: false, reason }),
  );

  it('refuses a date in the future', () => {
    expect(parseDate('2027-01-01', today)).toEqual({ ok: false, reason: 'dateFuture' });
  });
  it.each(['hello', '', '32号'])('%s is not a date', (text) => {
    expect(parseDate(text, today)).toEqual({ ok: false, reason: 'date' });
  });
  it('resolves "today" in Asia/Shanghai, not in UTC', () => {
    // 20:00 UTC on the 28th is already the 29th in Shanghai.
    expect(todayIn(new Date('2026-11-28T20:00:00Z'))).toBe('2026-11-29');
    expect(todayIn(new Date('2026-11-28T15:59:00Z'))).toBe('2026-11-28');
  });
  it('the fixed UTC+8 shortcut agrees with the time-zone database at every instant since 1992', () => {
    const zone = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1992-01-01T00:00:00+08:00'),
          max: new Date('2100-01-01'),
          noInvalidDate: true,
        }),
        (d) => todayIn(d) === zone.format(d),
      ),
      { numRuns: 2000 },
    );
  });
});

describe('yes / no', () => {
  it.each(['是', '是的', '对', '有', '嗯', 'yes', 'Y', 'yeah', '是，他一直在催'])(
    '%s → yes',
    (text) => expect(parseYesNo(text)).toBe(true),
  );
  it.each(['不是', '没有', '否', '不', 'no', 'N', 'nope', '不是的，我自己转的'])(
    '%s → no',
    (text) => expect(parseYesNo(text)).toBe(false),
  );
  const deceived = {
    yes: ['骗', '冒充', 'scam', 'deceiv', 'trick'],
    no: ['自己要', '自愿', 'voluntar', 'nobody', 'my own choice'],
  };
  it.each([
    ['没错，他骗了我', true],
    ['对方没骗我', false],
    ['是我自己要打赏的', false],
    ['他没有骗我，是我自愿的', false],
    ['嗯嗯', true],
    ['是滴', true],
    ['木有', false],
    ['米有', false],
    ['对的', true],
    ['不是被骗', false],
    ["he didn't scam me", false],
    ['yes he tricked me', true],
    ['nope', false],
    ['I think so', true],
    ['not really', false],
    ['不知道', 'unsure'],
    ['not sure', 'unsure'],
    ['不是我自己要打赏的', undefined],
    // Named, then denied: the two readings disagree, so it is asked again, never "yes".
    ['骗倒是没骗', undefined],
  ] as const)('at "were you deceived?", %s → %s', (text, expected) =>
    expect(parseYesNo(text, deceived)).toBe(expected),
  );
  const reach = { yes: ['有他微信', '能联系'], no: ['拉黑', '删了', 'blocked'] };
  it.each([
    ['对方把我拉黑了', false],
    ['有他微信但他拉黑我了', false],
    ['联系不上', false],
    ['能联系上', true],
    ['可以', true],
    ['不能', false],
    ['他没有拉黑我', true],
    ['they blocked me', false],
    // After a past, the present decides.
    ['以前能联系 现在不行了', false],
    ['at first yes but now no', false],
  ] as const)('at "can you reach them?", %s → %s', (text, expected) =>
    expect(parseYesNo(text, reach)).toBe(expected),
  );
  it.each([
    ['唔係 冇人催我', { yes: ['催'], no: [] }, false],
    ['冇', undefined, false],
    ['不止一笔', { yes: [], no: ['一笔'] }, true],
    ['不止', undefined, undefined],
  ] as const)('Cantonese and "more than": %s → %s', (text, hints, expected) =>
    expect(parseYesNo(text, hints)).toBe(expected),
  );
  // 唔 is a negation, but 唔知 is "don't know", not "no" (a blind set's screens).
  it.each([
    '唔知呀',
    '真係唔清楚',
    '唔記得咗',
    '我唔肯定',
    '冇印象',
    'no clue',
    'not a clue tbh',
    '不确认',
  ])('%s is unsure, not no', (text) =>
    expect(parseYesNo(text, { yes: ['催'], no: [] })).toBe('unsure'),
  );
  // A fresh review's cases: an adverb before a threat or a double negation, a yes then a denial.
  it.each([
    '其实不是没有',
    '倒不是没有',
    '现在不交就冻结',
    '其实不转钱就要上门',
    '对 没有人联系我',
    '是 没有',
    '确实没有',
  ])('%s is asked again at a screen, neither yes nor no', (text) =>
    expect(parseYesNoStrict(text)).toBeUndefined(),
  );
  // A question back names the screen's own words; it answers nothing.
  const fee = { yes: ['保证金', '手续费', 'fee', 'refund'], no: [] };
  it.each([
    ['手续费是啥意思', undefined],
    ['什么叫保证金', undefined],
    ['要交保证金吗', undefined],
    ['what do you mean by a fee', undefined],
    ['can you get me a refund', undefined],
    // The statement before a phone's space still answers.
    ['他叫我先交手续费 这样正常吗', true],
    ['没有 这是骗局吗', false],
    ['没什么', false],
  ] as const)('a question back: %s → %s', (text, expected) =>
    expect(parseYesNo(text, fee)).toBe(expected),
  );
  it.each(['也许', 'maybe', '不知道', '不清楚', '说不好', 'not sure', 'idk'])(
    '%s is unsure',
    (text) => expect(parseYesNo(text)).toBe('unsure'),
  );
  it.each(['', '他', '500', 'hello'])('%s is neither', (text) =>
    expect(parseYesNo(text)).toBeUndefined(),
  );
});

describe('choice', () => {
  const ages = [
    { id: 'under-8', words: ['不满 8 岁'], ages: [0, 7] as const },
    { id: 'from-8-to-17', words: ['8 到 17 岁'], ages: [8, 17] as const },
  ];
  const kinds = [
    { id: 'reward-code', words: ['赞赏码', 'reward code'] },
    { id: 'red-packet', words: ['红包', 'red packet'] },
    { id: 'not-sure', words: ['不确定', 'not sure'] },
  ];
  it.each([
    ['账单上只写了个数 我看不懂是哪种', 'not-sure'],
    ['checked twice and i still cant figure it out', 'not-sure'],
    ['说不好', 'not-sure'],
    // A doubt that names an option, or an unawareness then, is no "not sure".
    ['不知道是不是红包', undefined],
    ['my son used the reward code and i had no idea', undefined],
    ['he paid and i never knew', undefined],
  ] as const)('a doubt chooses the "not sure" option: %s → %s', (text, expected) =>
    expect(parseChoice(text, kinds)).toBe(expected),
  );
  it.each([
    ['女儿才五岁呀', 'under-8'],
    ['个女六岁', 'under-8'],
    ["she's three", 'under-8'],
    ['hes just turned 11', 'from-8-to-17'],
    ['my daughter is 14', 'from-8-to-17'],
    ['啱啱满十岁', 'from-8-to-17'],
    ['nine years old', 'from-8-to-17'],
    ['十三', 'from-8-to-17'],
    // A bare number the list shows is the option's number, in any script.
    ['2', 'from-8-to-17'],
    ['二', 'from-8-to-17'],
    ['1', 'under-8'],
  ] as const)('an age at a question of ages: %s → %s', (text, expected) =>
    expect(parseChoice(text, ages)).toBe(expected),
  );
  const options = [
    {
      id: 'reward-code',
      words: ['扫了对方的赞赏码', 'I scanned their reward code', '赞赏码', 'tip'],
    },
    { id: 'transfer', words: ['微信转账', 'A WeChat transfer', '转账', 'transfer'] },
    { id: 'merchant', words: ['付给商家', 'A payment to a merchant', '商家', 'merchant'] },
  ];
  it.each([
    ['2', 'transfer'],
    ['２', 'transfer'],
    ['二', 'transfer'],
    ['第二个', 'transfer'],
    ['第2个', 'transfer'],
    ['选3', 'merchant'],
    ['赞赏码', 'reward-code'],
    ['A WeChat transfer', 'transfer'],
    ['MERCHANT', 'merchant'],
    ['我是扫的赞赏码', 'reward-code'],
    ['it was a tip', 'reward-code'],
    ['1。', 'reward-code'],
  ])('%s → %s', (text, expected) => expect(parseChoice(text, options)).toBe(expected));

  it.each(['4', '0', '第五个', '转账还是商家', 'tipping', ''])('%s is not understood', (text) =>
    expect(parseChoice(text, options)).toBeUndefined(),
  );
});

describe('a Latin word stands as a whole word', () => {
  it.each([
    ['tip', 'tip', true],
    ['it was a tip.', 'tip', true],
    ['tip, then more', 'tip', true],
    ['转错了 tip 两次', 'tip', true],
    ['a tip给他', 'tip', false],
    ['tipping', 'tip', false],
    ['multiple', 'tip', false],
    ['tipping, then a tip', 'tip', true],
    ['éttip', 'tip', false],
    ['tipé', 'tip', false],
    ['𝐚tip', 'tip', false],
    ['reward code', 'reward code', true],
    ['reward codes', 'reward code', false],
    ['赞赏码', '赞赏码', true],
    ['码', '码', false],
  ])('%s mentions %s: %s', (text, word, expected) => expect(mentions(text, word)).toBe(expected));

  it('answers as the whole-word regular expression it replaced', () => {
    const pieces = ['tip', 'ti', 'p', ' ', ',', 'é', '给', '𝐚', '1', '-', "'"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        const regex = /(^|[^\p{L}])tip($|[^\p{L}])/u;
        expect(mentions(text, 'tip')).toBe(regex.test(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('free text', () => {
  it('accepts a sentence and refuses empty or overlong text', () => {
    expect(interpretInput('text', ' 他说会退给我 ', '2026-11-28')).toEqual({
      ok: true,
      value: '他说会退给我',
    });
    expect(interpretInput('text', '   ', '2026-11-28')).toEqual({ ok: false, reason: 'text' });
    expect(interpretInput('text', 'x'.repeat(501), '2026-11-28')).toEqual({
      ok: false,
      reason: 'textTooLong',
    });
  });
});

describe('commands', () => {
  it.each([
    ['help', 'help'],
    ['帮助', 'help'],
    ['？', 'help'],
    ['back', 'back'],
    ['返回', 'back'],
    ['上一步', 'back'],
    ['restart', 'restart'],
    ['重新开始', 'restart'],
    ['摘要', 'summary'],
    ['summary', 'summary'],
    ['forget', 'forget'],
    ['删除我的数据', 'forget'],
  ])('%s → %s', (text, type) => expect(parseCommand(text)?.type).toBe(type));

  it.each([
    ['语言 English', 'en'],
    ['lang zh', 'zh-CN'],
    ['语言：中文', 'zh-CN'],
    ['language en', 'en'],
    ['English', 'en'],
    ['中文', 'zh-CN'],
  ])('%s switches to %s', (text, lang) =>
    expect(parseCommand(text)).toEqual({ type: 'language', lang }),
  );

  it('an unknown language is reported, not guessed', () => {
    expect(parseCommand('lang fr')).toEqual({ type: 'language', lang: undefined });
  });
  it.each(['500', '是', '转错了五百块'])('%s is not a command', (text) =>
    expect(parseCommand(text)).toBeUndefined(),
  );
});

describe('object keys typed as text', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    '%s is not a command, a date or an amount',
    (text) => {
      expect(parseCommand(text)).toBeUndefined();
      expect(parseDate(text, '2026-11-28')).toEqual({ ok: false, reason: 'date' });
      expect(parseMoney(text)).toBeUndefined();
    },
  );
});
