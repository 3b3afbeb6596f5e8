import { EN_ONE_TO_TEN } from './interpret/en-numbers.js';
import { amountOf, readMoney } from './interpret/money.js';
import { withoutThousands } from './story-money.js';

/**
 * Typed facts a story states in numbers, not in words an option lists: how many payments
 * and how much each ("连打赏了三次 每次两百" → 3 × 200), how many zeros too many ("多按了两个0"
 * → the amount meant is a hundredth), a child's age. Each reads only what it can count;
 * anything less than clear is left for its question. `s` is the normalized story.
 */

const NUMERAL = '\\d{1,2}|[一二两三四五六七八九十]{1,3}';
// "twice" is a count of payments too.
const EN_COUNT: Readonly<Record<string, number>> = { ...EN_ONE_TO_TEN, twice: 2 };

// "三次", "5笔", "四回" (not "一次性", "第三次"); "3 times", "three payments", "twice".
const COUNT_ZH = new RegExp(`(?<!第|每)(${NUMERAL})\\s*(?:次|笔|回)(?!性)`, 'gu');
const COUNT_EN =
  /\b(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten) (?:times|payments|purchases|transfers|tips|red packets|packets)\b|\b(twice)\b/gu;
// "每次两百", "每笔50块", 「两笔 … 都是520」, 「同样的8600转了两次」, "200 each", "each time 50", "50 yuan each",
// "4 payments of 328". Only with a count of payments (severalOf) and an amount it reads.
const EACH_ZH =
  /(?:每(?:次|笔|回)(?:都是|都|是|各)?|都是)\s*([^\s,，。;；]+)|(?:同样|一样)的\s*(\d+(?:\.\d+)?\s*(?:块钱|块|元)?)/u;
const EACH_EN =
  /(?:\b(?:each|every) (?:time|payment)\s+(?:was\s+)?([\d.]+(?:\s*(?:k|w|wan)\b)?(?:\s*(?:yuan|rmb|kuai))?))|(?:([\d.]+(?:\s*(?:k|w|wan)\b)?)\s*(?:yuan|rmb|kuai)?\s+each\b)|\b(?:payments|transfers|tips|packets) of\s+([\d.]+(?:\s*(?:k|w|wan)\b)?)/u;

export interface Several {
  count: number;
  /** The total, when each payment's amount is said. */
  total?: number;
}

/** "连打赏了三次 每次两百": three payments, 600 in all; undefined when no count of two or more. */
export function severalOf(s: string): Several | undefined {
  const counts = new Set<number>();
  for (const m of s.matchAll(COUNT_ZH)) {
    const n = numberOf(m[1] ?? '');
    if (n !== undefined) counts.add(n);
  }
  for (const m of s.matchAll(COUNT_EN)) {
    const word = (m[1] ?? m[2] ?? '').toLowerCase();
    const n = EN_COUNT[word] ?? (/^\d+$/u.test(word) ? Number(word) : undefined);
    if (n !== undefined) counts.add(n);
  }
  // 「各转了一笔」 is one each time, not the count: only counts of two or more are counted.
  const several = [...counts].filter((n) => n >= 2 && n <= 50);
  if (several.length !== 1) return undefined;
  const count = several[0]!;
  const each = eachAmount(s);
  return each === undefined ? { count } : { count, total: Math.round(each * count * 100) / 100 };
}

// 「刷了十几次」「转了好几笔」「陆陆续续转了」"paid him several times": several payments, however many (a count
// that is vague gives no count, but says there were several). Only after a verb of paying:
// 「催了好几次」 is no payment.
const MANY =
  /(?:付|转|刷|打赏|赞赏|充|扫|买|发|交)[了过]?(?:他|她|给他|给她)?(?:十几|几十|好几|好多|很多)(?:次|笔|回|个(?=[^，。,]{0,8}红包))|(?:陆陆续续|陆续|一次次|一笔笔)地?(?:给他|给她)?(?:付|转|充|打|给|交)|\b(?:paid|sent|tipped|transferred|topped up|bought)\b(?: \w+){0,3} (?:several|many|multiple) times\b/u;

/** Whether the story says there were several payments without counting them. */
export function manyPayments(s: string): boolean {
  return MANY.test(s);
}

/** The amount of each payment ("每次两百", "3,200 each time"), when the story says one. */
export function eachAmount(story: string): number | undefined {
  // "3,200 each time" is 3200 each, not 200.
  const s = withoutThousands(story);
  const zh = EACH_ZH.exec(s);
  const en = EACH_EN.exec(s);
  const raw = zh?.[1] ?? zh?.[2] ?? en?.[1] ?? en?.[2] ?? en?.[3];
  if (raw === undefined) return undefined;
  const read = readMoney(raw.replace(/[的了啊呀]+$/u, ''));
  return read.ok ? read.value : undefined;
}

/** Whether the story says how each payment's amount was given ("每次两百"). */
export function saysEach(s: string): boolean {
  return eachAmount(s) !== undefined;
}

// "多按了两个0", "多打了个零", "多输了一个0"; "two extra zeros", "an extra zero", "added a zero".
const ZEROS_ZH = new RegExp(
  `多(?:按|打|输|点|加|敲)了?\\s*(${NUMERAL})?\\s*个?\\s*(?:0|零)(?!\\s*[块元])`,
  'u',
);
const ZEROS_EN =
  /\b(?:(an?|one|two|three|\d) )?extra zeros?\b|\badded (an?|one|two|three|\d) zeros?\b|\btoo many zeros\b/u;

/** How many zeros too many the story says were typed; 0 when it says none, undefined when unclear. */
export function extraZeros(s: string): number | undefined {
  const zh = ZEROS_ZH.exec(s);
  if (zh) return zh[1] === undefined ? 1 : numberOf(zh[1]);
  const en = ZEROS_EN.exec(s);
  if (!en) return 0;
  if (/too many/u.test(en[0])) return undefined;
  const word = (en[1] ?? en[2] ?? 'a').toLowerCase();
  if (word === 'a' || word === 'an' || word === 'one') return 1;
  return EN_COUNT[word] ?? (/^\d$/u.test(word) ? Number(word) : undefined);
}

// "my 11 year old", 「我今年13岁」 (the user is the child) name a child by the age alone.
const CHILD =
  /孩子|小孩|儿子|女儿|闺女|娃|宝宝|孙子|孙女|我(?:今年|才)?\d{1,2}岁|\b(?:son|daughter|kid|child|boy|girl)\b|\b\d{1,2} ?yo\b|\bmy \d{1,2}[- ](?:yrs?|years?)[- ]old\b|\bi'?m \d{1,2}\b/u;
const AGE = new RegExp(
  `(${NUMERAL})\\s*(?:岁|周岁)|\\b(\\d{1,2})(?:[- ](?:yrs?|years?)[- ]old| ?yo)\\b|\\b(?:aged|(?:he|she|son|daughter|kid|child)(?: is|'s)) (\\d{1,2})\\b|(?:son|daughter|kid|child|儿子|女儿|孩子)\\s*[(（]\\s*(\\d{1,2})\\s*[)）]|(?:儿子|女儿|孩子|闺女)(?:才|今年)?\\s*(\\d{1,2})(?=\\s|$)|\\bi'?m (\\d{1,2})\\b(?! ?(?:min|hour|k\\b|yuan|rmb|%))`,
  'gu',
);

/** The child's age, when the story names a child and exactly one age. */
export function childAgeOf(s: string): number | undefined {
  if (!CHILD.test(s)) return undefined;
  const ages = new Set<number>();
  for (const m of s.matchAll(AGE)) {
    const n = numberOf(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6] ?? '');
    if (n !== undefined) ages.add(n);
  }
  return ages.size === 1 ? [...ages][0] : undefined;
}

function numberOf(raw: string): number | undefined {
  if (/^\d+$/u.test(raw)) return Number(raw);
  return amountOf(raw);
}
