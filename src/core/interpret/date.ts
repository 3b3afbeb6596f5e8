import * as chrono from 'chrono-node';
import { addDays, daysBetween, isoFromParts } from '../../shared/calendar.js';
import { amountOf, own } from './money.js';
import { hasHan, normalize } from './normalize.js';
import { EN_ONE_TO_TEN } from './en-numbers.js';

/**
 * Why a date was not taken: not a date, in the future, before WeChat Pay existed, or a span
 * ("月初", "last month", "半个月前") that must be asked again rather than turned into a day.
 */
export type DateProblem = 'date' | 'dateFuture' | 'dateTooOld' | 'dateVague';
export type DateResult =
  { ok: true; value: string } | { ok: false; reason: DateProblem; detail?: string };

/** An earlier date is too early to be a WeChat payment: a typo, refused (a guard, not a claim). */
export const EARLIEST_PAYMENT = '2013-01-01';

// A Map, not an object: typed text such as "__proto__" must not find Object.prototype.
const DAYS_AGO_WORDS = new Map<string, number>(
  Object.entries({
    今天: 0,
    今日: 0,
    today: 0,
    昨天: 1,
    昨日: 1,
    昨晚: 1,
    yesterday: 1,
    前天: 2,
    大前天: 3,
    'the day before yesterday': 2,
    'day before yesterday': 2,
    'last night': 1,
    'this morning': 0,
    tonight: 0,
  }),
);
const NUM = '(\\d+|[零〇一二两三四五六七八九十百千万亿]+)';
const N_AGO = new RegExp(`^${NUM}\\s*(天|日|周|个?星期|个?礼拜)(?:之?前|以前)$`, 'u');
const EN_NUMBER: Readonly<Record<string, number>> = { a: 1, an: 1, ...EN_ONE_TO_TEN };
const N_AGO_EN = /^(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten) (day|week)s? ago$/;
// Time of day and filler around a date ("20号晚上", "昨天下午3点", "on the 20th").
const FILLER =
  /(?:早上|上午|中午|下午|傍晚|晚上|夜里|半夜|凌晨|早晨|\d{1,2}[:：]\d{2}|\d{1,2}点(?:半|\d{1,2}分?)?|[一二三四五六七八九十]{1,3}点半?|的时候|那天|付的|转的|打的|付款|时候|的$|^(?:我是|我在|应该是|我|是|在)|\bon\b|\bit was\b|\bi paid\b|\bpaid\b|\bin the (?:morning|afternoon|evening)\b|\bat night\b)/gu;
// Spans: asked again with what was understood. "The day before" alone says before what
// only in context (chrono reads it as yesterday; "not yesterday, the day before" is 前天).
const VAGUE =
  /^(?:the )?day (?:before|after)$|左右|前后|周末|半个?月|月初|月中|中旬|月底|月末|上旬|下旬|年初|年底|年中|前几天|这几天|最近|不久前|前阵子|上个?月$|上周$|上个?星期$|上个?礼拜$|^last (?:week|month|year)$|^(?:a )?few (?:days|weeks) ago$|^recently$|^earlier this (?:week|month)$|^(?:early|mid|late|end of) /u;
const WEEKDAY: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };
const WEEK = /^(上上|上|这|本|)(?:个)?(?:周|星期|礼拜)([一二三四五六日天])$/u;
const EN_WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const WEEK_EN = /^(last |this |on |)(monday|tuesday|wednesday|thursday|friday|saturday|sunday)$/u;
// 「上个月15」 without 号 too (a correction 「是上个月15」).
const MONTH_DAY = new RegExp(`^(上上|上|这|本)个?月${NUM}[号日]?$`, 'u');
const NUMERIC = /^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})[日号]?$/u;
const DAY_ONLY =
  /^(?:(\d{1,2}|[一二三四五六七八九十]{1,3})[号日]|(?:the )?(\d{1,2})(?:st|nd|rd|th))$/u;
const FESTIVAL: Record<string, [number, number]> = {
  双十一: [11, 11],
  双11: [11, 11],
  双十二: [12, 12],
  双12: [12, 12],
};

/**
 * A payment date as a calendar date in the user's zone (`today` is YYYY-MM-DD there). The
 * reading must cover the whole answer, not one word of it; weeks run Monday to Sunday, as in
 * China; chrono reads what is left ("Nov 20", "last Tuesday"). Never throws.
 */
export function parseDate(text: string, today: string): DateResult {
  const s = normalize(text).replace(FILLER, ' ').replace(/\s+/g, ' ').trim();
  if (s === '' || s.length > 60) return { ok: false, reason: 'date' };
  if (VAGUE.test(s)) return { ok: false, reason: 'dateVague', detail: text.trim() };
  const value = readDay(s, today);
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return { ok: false, reason: 'date' };
  if (daysBetween(value, today) < 0) return { ok: false, reason: 'dateFuture' };
  if (value < EARLIEST_PAYMENT) return { ok: false, reason: 'dateTooOld' };
  return { ok: true, value };
}

function readDay(s: string, today: string): string | undefined {
  const ago = daysAgo(s);
  if (ago !== undefined) return ago > 20_000 ? '0000-01-01' : addDays(today, -ago);
  return (
    weekday(s, today) ??
    weekdayEn(s, today) ??
    monthDay(s, today) ??
    numeric(s, today) ??
    festival(s, today) ??
    dayOnly(s, today) ??
    viaChrono(s, today)
  );
}

function count(word: string): number | undefined {
  const n = /^\d+$/.test(word) ? Number(word) : (EN_NUMBER[word] ?? amountOf(word));
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function daysAgo(s: string): number | undefined {
  const word = DAYS_AGO_WORDS.get(s);
  if (word !== undefined) return word;
  const zh = N_AGO.exec(s) ?? N_AGO_EN.exec(s);
  if (!zh?.[1] || !zh[2]) return undefined;
  const n = count(zh[1]);
  if (n === undefined) return undefined;
  return Math.min(n, 1_000_000) * (/天|日|day/u.test(zh[2]) ? 1 : 7);
}

function parts(today: string): [number, number, number] {
  return today.split('-').map(Number) as [number, number, number];
}

/** 上周日, 上上周五, 这周三, 周五: Monday-first weeks. A bare 周五 is the latest one not in the future. */
function weekday(s: string, today: string): string | undefined {
  const m = WEEK.exec(s);
  if (!m) return undefined;
  const day = WEEKDAY[m[2] ?? ''] ?? 0;
  const [y, mo, d] = parts(today);
  const dow = ((new Date(Date.UTC(y, mo - 1, d)).getUTCDay() + 6) % 7) + 1; // Monday 1 … Sunday 7
  const monday = addDays(today, 1 - dow);
  const weeksBack = { 上上: 2, 上: 1, 这: 0, 本: 0 }[m[1] ?? ''] ?? (day <= dow ? 0 : 1);
  return addDays(monday, day - 1 - 7 * weeksBack);
}

/** "last Tuesday", "Friday": the most recent such day before today (read back to the user). */
function weekdayEn(s: string, today: string): string | undefined {
  const m = WEEK_EN.exec(s);
  if (!m?.[2]) return undefined;
  const [y, mo, d] = parts(today);
  const dow = ((new Date(Date.UTC(y, mo - 1, d)).getUTCDay() + 6) % 7) + 1;
  const day = EN_WEEKDAYS.indexOf(m[2]) + 1;
  const back = (dow - day + 7) % 7 || (m[1] === 'this ' ? 0 : 7);
  return addDays(today, -back);
}

/** 上个月15号, 这个月20号. */
function monthDay(s: string, today: string): string | undefined {
  const m = MONTH_DAY.exec(s);
  const day = m?.[2] ? count(m[2]) : undefined;
  if (!m || day === undefined) return undefined;
  const [y, mo] = parts(today);
  const back = { 上上: 2, 上: 1, 这: 0, 本: 0 }[m[1] ?? ''] ?? 0;
  return exactDay(y, mo - back, day);
}

/** 2026-11-20, 2026年11月20日, 11.20, 11/20, 11月20号: a day without a year is the latest one not in the future. */
function numeric(s: string, today: string): string | undefined {
  const m = NUMERIC.exec(s);
  if (!m?.[2] || !m[3]) return undefined;
  const [y] = parts(today);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12) return undefined;
  if (m[1]) return exactDay(Number(m[1]), month, day);
  const thisYear = exactDay(y, month, day);
  return thisYear && daysBetween(thisYear, today) < 0 ? exactDay(y - 1, month, day) : thisYear;
}

function festival(s: string, today: string): string | undefined {
  const md = own(FESTIVAL, s);
  if (!md) return undefined;
  const [y] = parts(today);
  const thisYear = exactDay(y, md[0], md[1]);
  return thisYear && daysBetween(thisYear, today) < 0 ? exactDay(y - 1, md[0], md[1]) : thisYear;
}

/** "20号": the latest 20th that is not in the future. */
function dayOnly(s: string, today: string): string | undefined {
  const m = DAY_ONLY.exec(s);
  const written = m?.[1] ?? m?.[2];
  const day = written ? count(written) : undefined;
  if (day === undefined) return undefined;
  const [y, mo, d] = parts(today);
  return day <= d ? exactDay(y, mo, day) : exactDay(y, mo - 1, day);
}

/** The day if the month has it (31 November is not a date); months may run below 1. */
function exactDay(year: number, month: number, day: number): string | undefined {
  if (day < 1 || day > 31) return undefined;
  const iso = isoFromParts(year, month, day);
  return Number(iso.slice(8)) === day ? iso : undefined;
}

function viaChrono(s: string, today: string): string | undefined {
  const [y, m, d] = parts(today);
  // Noon of the user's date in the process's own zone: chrono computes in that zone, so the
  // calendar arithmetic comes out right whatever zone the server runs in.
  const reference = new Date(y, m - 1, d, 12);
  const parser = hasHan(s) ? chrono.zh : chrono.en;
  let result;
  try {
    [result] = parser.parse(s, reference);
  } catch {
    return undefined;
  }
  // The reading must be the whole answer: "我不记得20号还是21号" is not "the 20th".
  if (!result || result.index !== 0 || result.text.length < s.length - 1) return undefined;
  const { start } = result;
  if (!start.isCertain('day')) return undefined;
  const year = start.get('year');
  const month = start.get('month');
  const day = start.get('day');
  if (year === null || month === null || day === null || year < 1000 || year > 9999)
    return undefined;
  const iso = exactDay(year, month, day);
  if (!iso) return undefined;
  // "12月20日" said in November means last December, not next.
  // Only a written month moves back: "next friday" is in the future and is refused as such.
  if (start.isCertain('month') && !start.isCertain('year') && daysBetween(iso, today) < 0) {
    return exactDay(year - 1, month, day);
  }
  return iso;
}
