import { normalize } from './normalize.js';

/**
 * Why an amount was not taken. Each reason has its own re-prompt, with what was understood
 * (`detail`), because an amount goes into texts meant for the police: asking again is
 * always better than guessing.
 */
export type MoneyProblem =
  'money' | 'moneyRange' | 'moneyTwo' | 'moneyCurrency' | 'moneyNotPositive' | 'moneyTooLarge';
export type MoneyResult =
  | {
      ok: true;
      value: number;
      /** The amount the user meant to pay, when said ("本来想付5块"). */ intended?: number;
    }
  | { ok: false; reason: MoneyProblem; detail?: string };

/** Far above any one payment a person asks us about: a typo or a joke, so it is refused. */
export const MAX_YUAN = 10_000_000;

// Formal (大写) and colloquial numerals, rewritten to digits and plain units before reading.
const DIGIT_OF: Record<string, string> = {
  零: '0',
  〇: '0',
  一: '1',
  壹: '1',
  幺: '1',
  二: '2',
  贰: '2',
  两: '2',
  三: '3',
  叁: '3',
  四: '4',
  肆: '4',
  五: '5',
  伍: '5',
  六: '6',
  陆: '6',
  七: '7',
  柒: '7',
  八: '8',
  捌: '8',
  九: '9',
  玖: '9',
};
const UNIT_OF: Record<string, string> = {
  拾: '十',
  佰: '百',
  仟: '千',
  萬: '万',
  億: '亿',
  k: '千',
  w: '万',
};
const ZH_DIGITS = '零〇一壹幺二贰两三叁四肆五伍六陆七柒八捌九玖';
const ZH_UNITS = '十拾百佰千仟万萬亿億';
const UNIT_VALUE: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** A table lookup that typed text such as "__proto__" cannot turn into Object.prototype. */
export function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

const FOREIGN =
  /\$|美元|美金|\d\s*刀|[一二两三四五六七八九十百千万]刀|usd|hk\$|港币|港元|hkd|日元|円|欧元|€|£|英镑|台币|ntd|twd|韩元|₩|dollars?|euros?/u;
const NEGATIVE = /(?:^|[^\d])-\s*\d|负\s*[\d零一二两三四五六七八九]/u;
// Vague or a range: shown back and asked again, never turned into one invented number.
const VAGUE = new RegExp(
  [
    '[一二两三四五六七八九]{2}[十百千万]', // 五六百, 两三百 (but not 一千零五十)
    `几[十百千万块]`,
    '半[百千万]|[百千万]半',
    `[十百千万]来[块元]?`,
    `[${ZH_UNITS}\\d][块元]?多(?![打付转按输给扣点])`, // 三百多, 500多 (not 5块多打了: a verb)
    `[${ZH_UNITS}\\d][块元]?出头`, // 三千出头: a little over, no amount
    '左右',
    '上下',
    '大概',
    '大约',
    '差不多',
    '约',
    '估计',
    '好像',
    '可能',
    '\\d\\s*(?:-|~|到|至|或|还是)\\s*\\d',
    `[${ZH_DIGITS}${ZH_UNITS}]\\s*(?:到|至|或|还是)\\s*[${ZH_DIGITS}]`,
    '\\babout\\b',
    '\\baround\\b',
    '\\bapprox',
    '\\broughly\\b',
    '\\bor so\\b',
    '\\bsomething like\\b',
    '\\d\\s*(?:or|to)\\s*\\d',
    '\\bsome\\b',
    '\\bfew\\b',
  ].join('|'),
  'u',
);
// Dates and times in the same sentence ("11月20日转了500", "三天前") are not amounts; nor is
// a day alone ("on the 14th", "11/23", 「上个月15」): corrections of a date read as ¥14 else.
const DATES = new RegExp(
  `\\b\\d{1,2}(?:st|nd|rd|th)\\b|\\b\\d{1,2}/\\d{1,2}\\b|(?:上|这|本|下)个?月\\s*\\d{1,2}(?![\\d.])|双十一|双11|双十二|双12|[一二三四五六七八九十]{1,3}月(?:[一二三四五六七八九十]{1,3}[日号])?|\\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.? \\d{1,2}(?:st|nd|rd|th)?\\b|\\b\\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\b|(?:\\d+|[${ZH_DIGITS}十]+)\\s*(?:岁|周岁|years? old)|\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{1,2}月\\d{1,2}[日号]?|\\d{1,2}[日号]|\\d{1,2}:\\d{2}|(?:\\d+|[${ZH_DIGITS}${ZH_UNITS}]+)\\s*(?:天|周|个?星期|个?礼拜|个月|年|点钟|号|days?|weeks?|months?|years?)|(?:\\d{1,2}|[${ZH_DIGITS}十]{1,3})\\s*点(?![\\d${ZH_DIGITS}])`,
  'gu',
);
// The amount the user meant, not the one paid: "500，本来只想打5块", "paid 500 instead of 5".
const INTENDED =
  /(?:(?:本来|原本|本想|只想|想打|想付|想给|想赞赏|想打赏|想转|想发|想充|打算|应该|应付|instead of|meant|intended|wanted|supposed|should have)[^\d]{0,6}|(?:本来|原本|本想)[^\d\s,，。;；]{0,12}|\b(?:meant|intended|wanted|supposed|going|trying) to (?:send|pay|tip|give|transfer)(?: (?:him|her|them|it|only|just))*\s*(?:¥|rmb\s*)?|\b(?:meant|intended|wanted|supposed) to (?:send|pay|tip|give|transfer)\b(?:(?!\b(?:but|paid|sent|instead|and|then|hit|typed|tipped|gave|transferred)\b)[^\d,.;!?]){1,30})$/u;
const TYPED_INTO = /(?:打成|输成|按成|写成|付成|转成|打错成|输错成|变成)了?\s*$/u;
// 「200打成2000」「10块输成了1000」: the amount before 打成 is the one meant.
const TYPED_AS =
  /^\s*(?:打成|输成|按成|写成|付成|转成|打错成|输错成)了?\s*[\d一二两三四五六七八九十百千万]/u;
// Latin words that may stand beside an amount; any other word means it was not an amount.
const LATIN_OK = new Set(
  'yuan rmb cny kuai i paid pay sent send it was is the total amount only just of my me tipped tip transferred by mistake wrong accidentally instead meant to intended wanted should have been supposed but and a that'.split(
    ' ',
  ),
);

interface Candidate {
  value: number;
  text: string;
  marked: boolean;
  intended: boolean;
}

/** An amount in yuan, or why not (see MoneyResult). */
export function readMoney(text: string, opts: { story?: boolean } = {}): MoneyResult {
  const s = normalize(text)
    .replace(/(\d),(?=\d{3})/g, '$1')
    .replace(/kuai/g, '块')
    // "5 wan", "1.2 wan": 万 typed in pinyin.
    .replace(/(\d)\s*wan\b/g, '$1万')
    .replace(/。/g, '.');
  if (FOREIGN.test(s)) return { ok: false, reason: 'moneyCurrency' };
  const undated = s.replace(DATES, ' ');
  const vague = VAGUE.exec(undated);
  if (vague) return { ok: false, reason: 'moneyRange', detail: text.trim() };
  if (NEGATIVE.test(undated)) return { ok: false, reason: 'moneyNotPositive' };
  const found = findCandidates(undated, opts.story ?? false);
  if (found === undefined) return { ok: false, reason: 'money' };
  // "多打了两个0": a bare 0 beside a real amount is talk about digits, not money.
  const candidates = found.some((c) => c.value > 0) ? found.filter((c) => c.value > 0) : found;
  const paid = candidates.filter((c) => !c.intended);
  const pool = paid.some((c) => c.marked) ? paid.filter((c) => c.marked) : paid;
  const values = [...new Set(pool.map((c) => c.value))];
  if (values.length > 1 || (values.length === 0 && candidates.length > 1)) {
    return { ok: false, reason: 'moneyTwo', detail: candidates.map((c) => c.text).join(' / ') };
  }
  const value = Math.round((values[0] ?? candidates[0]?.value ?? 0) * 100) / 100;
  if (candidates.length === 0) return { ok: false, reason: 'money' };
  if (!(value > 0)) return { ok: false, reason: 'moneyNotPositive' };
  if (value > MAX_YUAN) return { ok: false, reason: 'moneyTooLarge' };
  const intended = [...new Set(candidates.filter((c) => c.intended).map((c) => c.value))];
  return intended.length === 1 && intended[0] !== value
    ? { ok: true, value, intended: intended[0] }
    : { ok: true, value };
}

/** The amount when one is clearly there, else undefined (for callers that only need that). */
export function parseMoney(text: string): number | undefined {
  const read = readMoney(text);
  return read.ok ? read.value : undefined;
}

const RUN = new RegExp(
  `(¥|rmb|cny)?\\s*([\\d.点${ZH_DIGITS}${ZH_UNITS}kw]*[\\d${ZH_DIGITS}${ZH_UNITS}kw](?:\\s*(?:块钱|块|元|圆|毛钱|毛|角|分|yuan|kuai|rmb|cny)[\\d${ZH_DIGITS}]?(?:毛|角|分)?[\\d${ZH_DIGITS}]?分?)*)`,
  'gu',
);

const LONE_NUMERAL = new RegExp(`^[${ZH_DIGITS}]$`, 'u');

/** Every amount in the text; undefined when something in it is not an amount at all. */
function findCandidates(s: string, story: boolean): Candidate[] | undefined {
  const out: Candidate[] = [];
  let rest = s;
  for (const m of s.matchAll(RUN)) {
    const raw = (m[2] ?? '').trim();
    // A lone numeral inside a sentence ("一笔", "两次", "一个人") is a count, not money.
    const lone = LONE_NUMERAL.test(raw) && s.trim() !== raw;
    const k = /^[\d.]*\d[kw]$/u.test(raw) || !/[kw]/u.test(raw);
    if (lone || !k) continue;
    const value = amountOf(raw);
    if (value === undefined) return undefined;
    const before = s.slice(0, m.index ?? 0);
    // 「想赞赏5块钱 … 付成了500」: the amount typed into is the one paid, marked or not (the
    // third story set's 「付成了500」 had given 5, the amount meant, as the amount paid).
    const typedInto = TYPED_INTO.test(before);
    out.push({
      value,
      text: m[0].trim(),
      marked: typedInto || Boolean(m[1]) || /块|元|圆|毛|角|yuan|kuai|rmb|cny/u.test(raw),
      intended: INTENDED.test(before) || TYPED_AS.test(s.slice((m.index ?? 0) + m[0].length)),
    });
    rest = rest.replace(m[0], ' ');
  }
  const words = rest.match(/[a-z]+/gu) ?? [];
  // In an answer to "how much?" any other word means it was not an amount; a story has words.
  if (!story && words.some((w) => !LATIN_OK.has(w))) return undefined;
  return out;
}

/** "八十八块八" = 88.8, "1千3" = 1300, "三块五毛" = 3.5, "一点五万" = 15000, "伍佰" = 500. */
export function amountOf(raw: string): number | undefined {
  let s = raw
    .replace(/\s+/g, '')
    .replace(/(yuan|kuai|rmb|cny)/gu, '元')
    .replace(/块钱|毛钱/gu, (w) => w[0] ?? '');
  s = [...s].map((c) => own(DIGIT_OF, c) ?? own(UNIT_OF, c) ?? c).join('');
  s = s.replace(/(\d)点(\d)/gu, '$1.$2');
  const m =
    /^([\d.十百千万亿]*?)(?:[块元圆](\d)?(?:[毛角])?(?:(\d)分)?|(\d)[毛角](?:(\d)分?)?|(\d)分)?$/u.exec(
      s,
    );
  if (!m) return undefined;
  const [, whole = '', jiaoAfterYuan, fenAfterYuan, jiao, fen, onlyFen] = m;
  const yuan = whole === '' ? 0 : numberOf(whole);
  if (yuan === undefined) return undefined;
  const cents =
    Number(jiaoAfterYuan ?? jiao ?? 0) * 10 + Number(fenAfterYuan ?? fen ?? onlyFen ?? 0);
  if (whole === '' && cents === 0) return undefined;
  return yuan + cents / 100;
}

/** Digits and 十百千万亿 mixed, as people write them ("5百", "2万5", "1.5万", "十五", "1千零5"). */
function numberOf(s: string): number | undefined {
  const tokens = s.match(/\d*\.\d+|\d+|[十百千万亿]/gu);
  if (!tokens || tokens.join('') !== s) return undefined;
  if (tokens.every((t) => /[\d.]/u.test(t)))
    return tokens.length === 1 ? Number(tokens[0]) : undefined;
  // "万" alone is no amount; "十" alone is ten.
  if (tokens.length === 1 && tokens[0] !== '十') return undefined;
  let total = 0;
  let section = 0;
  let current: string | undefined;
  let lastUnit = 0;
  for (const token of tokens) {
    if (/[\d.]/u.test(token)) {
      if (current !== undefined) return undefined;
      current = token;
      continue;
    }
    const n = current === undefined ? undefined : Number(current);
    if (n !== undefined && !Number.isFinite(n)) return undefined;
    if (token === '万' || token === '亿') {
      const big = token === '万' ? 10_000 : 100_000_000;
      if (token === '亿') total = (total + section + (n ?? 0)) * big;
      else total += (section + (n ?? 0)) * big;
      section = 0;
      lastUnit = big / 10;
    } else {
      const unit = UNIT_VALUE[token] ?? 0;
      section += (n ?? 1) * unit;
      lastUnit = unit / 10;
    }
    current = undefined;
  }
  if (current !== undefined) {
    // "两千三" = 2300 and "2万5" = 25000: one digit right after a unit means the next unit down;
    // "一千零五" (1千05) is a literal 5.
    const abbreviated = /^[1-9]$/u.test(current) && lastUnit >= 1;
    section += Number(current) * (abbreviated ? lastUnit : 1);
  }
  const value = total + section;
  return Number.isFinite(value) ? value : undefined;
}
