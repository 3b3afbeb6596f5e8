import { readMoney, type MoneyResult } from './interpret/money.js';

/**
 * The amount a story says was paid, read by the typed money reader, clause by clause: a
 * story is not an answer to "how much?", so what it says about other things (a mother
 * "七十多了", "some health product seller", a child "is 6", "4 payments") must not make its
 * one amount unreadable or wrong, and money that was not paid by the user (a fee someone
 * asks for, money someone sent the user) is not the amount asked. Measured on the dev
 * stories of test/corpus/stories/stories.yaml (test/stories-heldout.test.ts): the whole
 * story read as one answer refused 39 of 89 amounts, mostly for such words elsewhere.
 */

// As the story classifiers cut a story (story-yesno.ts): at a stop (a full stop before a
// space, not a decimal point), at a space between Chinese words, before an English turn word.
const CLAUSE_BREAK =
  /[,，。;；!！?？、\n]+|\.(?=\s|$)|(?<=[\p{Script=Han}\d])\s+(?=\p{Script=Han})|\s(?=(?:but|then|and|so|because|who|which)\s)/u;

// "一共4800", "总共8960", "total 46,000": the story gives the total itself. Nothing else is
// the amount then; a vague total (「加起来一千多」) gives none.
const TOTAL =
  /(?:一共|总共|加起来|合计|共计|总计|前后一共|\bin total\b|\baltogether\b|\btotal(?:ling|led)?\b)\s*(?:是|有|了|花了|付了|转了|of|was|is)?\s*([^\s,，。;；!！?？]+(?:\s*(?:块钱|块|元|yuan|rmb|kuai))?)/u;

// Money toward the user ("he sent me 2000 by accident", "they paid me 10 bucks"): not paid.
const RECEIVED =
  /\b(?:sent|transferred|paid|gave|wired|refunded) me\b|(?:转|打|发)错?给我(?![弟妹哥姐爸妈儿女家朋同老的])|给我(?:转|打|发)了/u;
// A fee asked or charged (「收费三千 靠谱吗」) is no payment, unless the clause says it was paid;
// nor is more money wanted after the payments ("they want 10000 now", 「现在又让我再转2万」).
const ASKED =
  /收费|要收|收我|手续费|服务费|保证金|让我再|要我再|还要我|还让我|(?:要|让我|叫我|要我)[在再](?:交|转|付|充|打)|\bfees?\b|\bcharges?\b|\bwants?\b[^.,;!?]*\b(?:more|now|again)\b/u;
const PAYING =
  /付了|转了|交了|打了|给了|扫了|\b(?:paid|paying|sent|transferred|tipped|gave|spent)\b/u;

// Numbers that are not money: ages, counts of payments, percentages.
const NOT_MONEY = new RegExp(
  [
    '\\b\\d{1,3}\\s*(?:yo|y/o|(?:yrs?|years?)[- ]old|-(?:yr|year)-old)\\b',
    "\\bi'?m \\d{1,2}\\b(?!\\s*(?:k|w|yuan|rmb|kuai|块|元)\\b)",
    "\\b(?:son|daughter|kid|child|boy|girl|mom|mum|mother|dad|father|grandma|grandpa|grandmother|grandfather|he|she)(?: is|'s| was) \\d{1,3}\\b(?!\\s*(?:yuan|rmb|kuai|k\\b))",
    "\\b(?:shes|hes|she's|he's|aged) \\d{1,3}\\b",
    '(?:儿子|女儿|孩子|闺女|宝宝|小孩)(?:才|今年)?\\s*\\d{1,2}(?=\\s|$|岁)',
    // 「她75了」「他都80岁了」: someone's age (a correction's 「是我妈付的，她75了」 gave ¥75).
    '(?:他|她|佢)(?:都|今年|已经)?\\s*\\d{2,3}多?(?:岁|了)',
    // 「我妈八十了」「奶奶82了」: an elder's age.
    '(?:妈|爸|奶奶|爷爷|姥姥|姥爷|外婆|外公|婆婆|公公|老人|岳母|岳父)(?:都|今年|已经)?\\s*(?:\\d{2,3}|[一二三四五六七八九十]{1,3})多?(?:岁|了)',
    '\\b(?:\\d{1,2}|two|three|four|five|six|seven|eight|nine|ten) (?:times|payments|transfers|tips|red packets|packets|transactions)\\b',
    '\\b\\d{1,3}\\s*(?:%|percent)',
    // "on the 10th", "the 22nd": days, which the money reader's dates do not cover.
    '\\b\\d{1,2}(?:st|nd|rd|th)\\b',
    // 「打95017问过了」: a phone number dialled.
    '(?:打|拨|打了|拨了|\\bcall(?:ed)?|\\bdial(?:led)?)\\s*\\d{5,}',
    '(?:\\d{1,2}|[一二两三四五六七八九十几]{1,3})\\s*(?:次|笔|回)(?!性)',
    // "my dad (81, dementia)": an age in brackets; "11/27", 「11.30那天」: a date.
    '(?:\\b(?:mom|mum|mother|dad|father|grandma|grandpa|grandmother|grandfather|son|daughter|kid|child|wife|husband)|妈|爸|奶奶|爷爷|姥姥|姥爷|外婆|外公|儿子|女儿|孩子)\\s*[(（]\\s*\\d{1,3}\\s*(?=[,，)）]|$)',
    '\\b\\d{1,2}/\\d{1,2}\\b',
    '\\d{1,2}\\.\\d{1,2}(?=\\s*(?:那天|号|日))',
  ].join('|'),
  'gu',
);
/** The text with its numbers that are no money (ages, counts, days, phone numbers) blanked. */
export function withoutNotMoney(s: string): string {
  return s.replace(NOT_MONEY, ' ');
}

/** The digits of the numbers in the text that are no money (see withoutNotMoney). */
export function notMoneyNumbers(s: string): string[] {
  return [...s.matchAll(NOT_MONEY)].flatMap((m) => m[0].match(/\d+/gu) ?? []);
}

// "some"/"few" make an amount vague only beside it ("some 500"); "some health product
// seller" says nothing about the amount.
const LOOSE_WORD = /\b(?:some|few)\b(?!\s*(?:\d|hundred|thousand))/gu;

const HAS_NUMBER = /\d|[一二两三四五六七八九十百千万]/u;

/** Words that mark a clause as about money ("付了500", "500块"): see understand.ts. */
export const MONEY_CONTEXT =
  /[块元¥付转扣俾蚊]|红包|交了|\bpaying\b|\bdeposit(?:ed)?\b|\btip\b|\btotal\b|\bput\b|\bleft my account\b|\bcharged\b|\bdeducted\b|\btransfer\b|\bsending\b|\bgave\b|\bbought\b|赞赏|打赏|打了|给了|借了|借给|借走|刷了|充了|充值|花了|rmb|yuan|kuai|\d\s*[kw]\b|\bpaid\b|\bpay\b|\bsent\b|\blent\b|\bspent\b|\btipped\b|\btyped\b|\btransferred\b/u;

/** "3,200", "46,000": the thousands' comma is no break between clauses, and no decimal. */
export function withoutThousands(s: string): string {
  return s.replace(/(\d),(?=\d{3}(?!\d))/gu, '$1');
}

// Payments listed one by one, each with its amount: 「一笔4万一笔6万」「一次2000一次3000」
// 「分别是800 2600 5000」, "500 then 2000 then 6000", "500, 1500 and 4000". Digits only (「三百
// 一笔」 would read as 310), and no number of days, times or an age among them, nor one that
// is a part ("50 and 20 was the tip").
const AMOUNT_ZH = '\\d+(?:\\.\\d+)?\\s*[万千wk]?\\s*(?:块钱|块|元)?';
const AMOUNT_EN =
  '\\d+(?:\\.\\d+)?k?(?:\\s*(?:yuan|rmb|kuai))?(?!(?:\\s*(?:yuan|rmb|kuai))?\\s*(?:days?|weeks?|months?|years?|hours?|h|minutes?|mins?|times|yo|y/o|yr|%|st|nd|rd|th|am|pm|people|of|was|is|were|went)\\b)(?![\\d%]|\\.\\d)';
const LISTS = [
  new RegExp(`(?:一(?:笔|次|个|回)\\s*${AMOUNT_ZH}\\s*[，,、]?\\s*){2,}`, 'u'),
  new RegExp(`分别(?:是|为)?\\s*${AMOUNT_ZH}(?:\\s*[，,、和]?\\s*${AMOUNT_ZH})+`, 'u'),
  new RegExp(
    `\\b${AMOUNT_EN}(?:\\s*,\\s*${AMOUNT_EN})*(?:\\s*,?\\s*(?:then|and)\\s+${AMOUNT_EN})+`,
    'u',
  ),
];
const ONE_OF_LIST = new RegExp(`${AMOUNT_ZH}|${AMOUNT_EN}`, 'gu');
// A list asked for, not paid ("asked for a 520 and a 1314", 「还要我转…」): not summed.
const REQUESTED = /asked for|asks? for|wants?|让我再|要我再|还要|还让/u;

/** The amounts of payments the story lists one by one, when it does (see LISTS). */
function listedPayments(s: string): { amounts: number[]; rest: string } | undefined {
  for (const list of LISTS) {
    const m = list.exec(s);
    if (!m) continue;
    const before = s.slice(0, m.index).split(CLAUSE_BREAK).pop() ?? '';
    if (REQUESTED.test(before) || RECEIVED.test(before)) return undefined;
    const amounts: number[] = [];
    for (const one of m[0].replace(/^分别(?:是|为)?/u, '').matchAll(ONE_OF_LIST)) {
      const read = readMoney(one[0].trim(), { story: true });
      if (!read.ok) return undefined;
      amounts.push(read.value);
    }
    if (amounts.length < 2) return undefined;
    return { amounts, rest: s.slice(0, m.index) + ' , ' + s.slice(m.index + m[0].length) };
  }
  return undefined;
}

/** Whether the story lists payments one by one with their amounts (money, though no word says so). */
export function listsPayments(story: string): boolean {
  return listedPayments(withoutThousands(story)) !== undefined;
}

/** The amount paid (and meant) a story states, or why not (see readMoney). */
export function storyMoney(story: string): MoneyResult & { total?: boolean; listed?: number } {
  const s = withoutThousands(story);
  const total = TOTAL.exec(s);
  if (total) {
    const read = readMoney(total[1] ?? '', { story: true });
    return read.ok ? { ok: true, value: read.value, total: true } : read;
  }
  // Payments listed with their amounts and no other money: the total is their sum.
  const listed = listedPayments(s);
  if (listed) {
    // "100 then 100 again": one payment made twice, or two? Not summed, nor one taken.
    if (new Set(listed.amounts).size === 1) return { ok: false, reason: 'moneyTwo' };
    const other = clauseMoney(listed.rest);
    if (!other.ok && other.reason === 'money') {
      const value = Math.round(listed.amounts.reduce((a, b) => a + b, 0) * 100) / 100;
      return { ok: true, value, total: true, listed: listed.amounts.length };
    }
  }
  return clauseMoney(s);
}

/** The one amount of the story's clauses about paying (see the top of this file). */
function clauseMoney(s: string): MoneyResult {
  const kept = s
    .split(CLAUSE_BREAK)
    .filter((c) => !RECEIVED.test(c) && !(ASKED.test(c) && !PAYING.test(c)))
    .map((c) => c.replace(NOT_MONEY, ' ').replace(LOOSE_WORD, ' '))
    // A clause with a number but no word of money ("我妈七十多了") counts only if its number
    // reads as a plain amount ("说会退给我 2600").
    .filter(
      (c) => HAS_NUMBER.test(c) && (MONEY_CONTEXT.test(c) || readMoney(c, { story: true }).ok),
    );
  if (kept.length === 0) return { ok: false, reason: 'money' };
  return readMoney(kept.join(' , '), { story: true });
}
