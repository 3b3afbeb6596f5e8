import * as chrono from 'chrono-node';
import { addDays, daysBetween, isoFromParts } from '../calendar.js';
import { CHINESE_NUMERAL, decodeChineseNumber } from './chinese-number.js';
import { hasHan, normalize } from './normalize.js';

export type DateResult = { ok: true; value: string } | { ok: false; reason: 'date' | 'dateFuture' };

// A Map, not an object: typed text such as "__proto__" must not find Object.prototype.
const DAYS_AGO_WORDS = new Map<string, number>(
  Object.entries({
    今天: 0,
    今日: 0,
    today: 0,
    昨天: 1,
    昨日: 1,
    yesterday: 1,
    前天: 2,
    大前天: 3,
    'the day before yesterday': 2,
  }),
);
const N_AGO = new RegExp(
  `^(\\d+|${CHINESE_NUMERAL.source})\\s*(天|日|周|个?星期|个?礼拜)(之?前)$`,
  'u',
);
const N_AGO_EN = /^(\d+) (day|week)s? ago$/;

/**
 * A payment date as a calendar date in the user's zone (`today` is YYYY-MM-DD there).
 * Relative words are resolved here, since chrono misses "3天前" and its zh parser ignores
 * the reference time zone; chrono handles the rest ("11月20日", "上周五", "Nov 20").
 * A date in the future is refused: a payment already happened.
 */
export function parseDate(text: string, today: string): DateResult {
  const s = normalize(text);
  const relative = daysAgo(s);
  const value =
    relative !== undefined
      ? addDays(today, -relative)
      : (dayOfMonth(s, today) ?? viaChrono(s, today));
  if (!value) return { ok: false, reason: 'date' };
  if (daysBetween(value, today) < 0) return { ok: false, reason: 'dateFuture' };
  return { ok: true, value };
}

function daysAgo(s: string): number | undefined {
  const word = DAYS_AGO_WORDS.get(s);
  if (word !== undefined) return word;
  const zh = N_AGO.exec(s);
  if (zh?.[1] && zh[2]) {
    const n = /^\d+$/.test(zh[1]) ? Number(zh[1]) : decodeChineseNumber(zh[1]);
    return n === undefined ? undefined : n * (zh[2] === '天' || zh[2] === '日' ? 1 : 7);
  }
  const en = N_AGO_EN.exec(s);
  if (en?.[1]) return Number(en[1]) * (en[2] === 'week' ? 7 : 1);
  return undefined;
}

/** "20号" / "20日": the latest 20th that is not in the future. */
function dayOfMonth(s: string, today: string): string | undefined {
  const m = /^(\d{1,2})\s*[号日]$/u.exec(s);
  if (!m?.[1]) return undefined;
  const day = Number(m[1]);
  const [y, mo, d] = today.split('-').map(Number) as [number, number, number];
  if (day < 1 || day > 31) return undefined;
  const iso = day <= d ? isoFromParts(y, mo, day) : isoFromParts(y, mo - 1, day);
  // Date.UTC rolls 31 into the next month; a day the month lacks is not a date.
  return Number(iso.slice(8)) === day ? iso : undefined;
}

function viaChrono(s: string, today: string): string | undefined {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  // Noon of the user's date in the process's own zone: chrono computes in that zone, so the
  // calendar arithmetic comes out right whatever zone the server runs in.
  const reference = new Date(y, m - 1, d, 12);
  const parser = hasHan(s) ? chrono.zh : chrono.en;
  const [result] = parser.parse(s, reference);
  if (!result) return undefined;
  const { start } = result;
  const year = start.get('year');
  const month = start.get('month');
  const day = start.get('day');
  if (year === null || month === null || day === null) return undefined;
  const iso = isoFromParts(year, month, day);
  // "12月20日" said in November means last December, not next.
  if (!start.isCertain('year') && daysBetween(iso, today) < 0)
    return isoFromParts(year - 1, month, day);
  return iso;
}
