/**
 * Calendar dates as plain `YYYY-MM-DD` strings. Users talk about days, not instants, and
 * the law counts days; keeping dates as strings avoids every time-zone slip after parsing.
 */
export const USER_TIME_ZONE = 'Asia/Shanghai';

/** 1992-01-01 Asia/Shanghai: the last daylight-saving time in China ended in September 1991. */
const CHINA_FIXED_OFFSET_SINCE = Date.UTC(1991, 11, 31, 16);

const dayFormats = new Map<string, Intl.DateTimeFormat>();
// Every message asks for today's date; within one minute (all zones change date on a
// minute boundary) the answer is the same, so the last one is kept.
let lastDay: { zone: string; minute: number; day: string } | undefined;
// The same for the default zone: the last day computed and the instants [from, to) it spans.
let lastChinaDay: { from: number; to: number; day: string } | undefined;

/** The calendar date in Asia/Shanghai at `now`. */
export function todayIn(now: Date, timeZone = USER_TIME_ZONE): string {
  // China has kept UTC+8 all year since 1991: no time-zone data needed for the default zone.
  // The first Intl formatter with a time zone loads ICU's zone data, a fifth of the compiled
  // chat's start-up (CPU profile, 2026-12-03).
  const ms = now.getTime();
  if (timeZone === USER_TIME_ZONE && ms >= CHINA_FIXED_OFFSET_SINCE) {
    if (lastChinaDay && ms >= lastChinaDay.from && ms < lastChinaDay.to) return lastChinaDay.day;
    const shifted = ms + 8 * 3_600_000;
    const from = Math.floor(shifted / 86_400_000) * 86_400_000 - 8 * 3_600_000;
    const day = new Date(shifted).toISOString().slice(0, 10);
    lastChinaDay = { from, to: from + 86_400_000, day };
    return day;
  }
  const minute = Math.floor(now.getTime() / 60_000);
  if (lastDay?.zone === timeZone && lastDay.minute === minute) return lastDay.day;
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD. Built once: an Intl formatter is expensive to make.
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  const day = format.format(now);
  lastDay = { zone: timeZone, minute, day };
  return day;
}

function toUtcDays(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
}

/** Whole days from `from` to `to` (positive when `from` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round(toUtcDays(to) - toUtcDays(from));
}

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Whether `iso` (YYYY-MM-DD) names a day that exists (not 2026-02-30, not 2026-99-99). */
export function isRealDay(iso: string): boolean {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return Number.isInteger(y) && m >= 1 && m <= 12 && d >= 1 && isoFromParts(y, m, d) === iso;
}

export function isoFromParts(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

/** The same calendar day `years` later; 29 February becomes 28 February in a common year. */
export function addYears(iso: string, years: number): string {
  // Asked on every step taken (a flow's `yearsSinceMoreThan`) for the same few dates.
  const key = `${iso}|${years}`;
  const known = yearsLater.get(key);
  if (known !== undefined) return known;
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const target = isoFromParts(y + years, m, d);
  const day = Number(target.slice(5, 7)) === m ? target : isoFromParts(y + years, m + 1, 0);
  if (yearsLater.size >= 10_000) yearsLater.clear();
  yearsLater.set(key, day);
  return day;
}

const yearsLater = new Map<string, string>();
