import { parseDate } from './interpret/date.js';

/**
 * Dates in a story, and which one is the payment's: a date in a clause about finding out or
 * being called is not it (the held-out convention and the review's: the payment date, never
 * the day the user found out or the day a scammer called).
 */

// Date expressions inside a story; each is read with the full date parser.
const DATE_IN_TEXT = new RegExp(
  [
    '大前天|前天|昨天|昨晚|昨夜|前晚|今天|今早|今晚|琴日|尋日|寻日|前日|刚刚',
    '\\b(?:two|three|four|five|six) days ago\\b|\\bjust now\\b',
    '(?:\\d+|[一二两三四五六七八九十]+)\\s*(?:天|个?星期|周)前',
    '(?:上上|上|这|本)?(?:个)?(?:周|星期|礼拜)[一二三四五六日天]',
    // "1.5k", 「付了3.20」 are money: a date with a dot only with 号/日/那天 after it.
    '(?<![\\d.])\\d{4}[-/.年]\\d{1,2}[-/.月]\\d{1,2}[日号]?(?![\\d.])',
    '(?<![\\d.])\\d{1,2}[-/月]\\d{1,2}[日号]?(?![\\d.])',
    '(?<![\\d.])\\d{1,2}\\.\\d{1,2}(?=[日号]|那天|当天)',
    '(?:上|这|本)个?月\\d{1,2}[号日]',
    '双十一|双11|双十二',
    '\\b(?:yesterday|today|the day before yesterday)\\b',
    '\\b\\d+ (?:days?|weeks?) ago\\b',
    '\\b(?:\\d+|an?) (?:min(?:ute)?s?|hours?) ago\\b',
    '\\b(?:last )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\\b',
    '\\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.? \\d{1,2}(?:st|nd|rd|th)?\\b',
    '\\b\\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\b',
    '\\bthe \\d{1,2}(?:st|nd|rd|th)\\b',
    '\\b(?:this|yesterday) (?:morning|afternoon|evening)\\b|\\blast night\\b|\\btonight\\b',
    '(?<![\\d月./-])\\d{1,2}[号日](?![\\d线店楼])',
  ].join('|'),
  'gu',
);

// A clause about finding out, or a call or message from someone, not about paying: its date
// is not the payment date (「上周五付的，昨天才发现」, "someone called yesterday").
const LEARNT =
  /发现|才知道|知道了|看到|看账单|对账|注意到|想起|反应过来|打电话|来电|联系我|找我|加我|找上我|有人自称|自称|\b(?:found|noticed|realis|realiz|called|rang|phoned|contacted|messaged me|texted me|checked)/u;
const PAID =
  /付|转|打赏|赞赏|扫|红包|充|买|刷|给了|打了|\b(?:paid|pay|sent|send|tipped|transferred|scanned|bought|gave)\b/u;

// 「就刚刚」 "just now", "this evening": today (not 刚才, which in a correction is "a moment ago I said").
const JUST_NOW = /^(?:刚刚|just now|this (?:morning|afternoon|evening)|tonight)$/u;

/**
 * The one payment date a story names: dates in clauses about finding out or being called are
 * not it; nothing when it names none, or several for the payment.
 */
export function oneDate(s: string, today: string): string | undefined {
  const values = paymentDates(s, today);
  return values.size === 1 ? [...values][0] : undefined;
}

// The last of several payments (「最后一次是上个月15号」 "last one on wednesday"), a withdrawal
// that failed, being blocked: later than the payment, so its date is not the (first)
// payment's. On the second dev set, three such dates were taken as the payment's.
const LATER =
  /最后一(?:次|笔|回)|最近一(?:次|笔)|提现|取现|提不出|拉黑|删了我|把我删|\b(?:last (?:one|payment|transfer|time)|withdraw\w*|cash(?:ed)? out|blocked|unfriended|deleted me)\b/u;

// The day a return is promised (「说周五就还」, "pay me back by dec 1") or a threat's deadline
// (「今天不充就清空」): not the payment's. The third story set had three such dates taken.
const PROMISED =
  /(?:就|会|再|说好|答应|保证)(?:还|退|返)|还给?我|不(?:充|交|付|转|补)就|\b(?:pay|give|send)(?: (?:it|me|the money|them))* back\b|\brepay\w*|\bpromised\b/u;

const VAGUE_WHEN =
  /上个月|上月|前几天|前阵子|前段时间|去年|几天前|几个月前|\b(?:last (?:month|year)|a few (?:days|weeks|months) ago|(?:weeks|months) ago|back in (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|earlier this (?:month|year))\b/u;
const PAID_OR_LENT = new RegExp(`${PAID.source}|借|\\b(?:lent|borrowed|loaned)\\b`, 'u');

// A clause ends at a stop, before "but"/"and"/"then", or at a space before Chinese
// (「…打赏了300 周五有人自称微信官方」: two clauses, two dates).
const DATE_CLAUSE =
  /[,，。;；!！?？\n]+|\.(?=\s|$)|\s(?=but\s|and\s|then\s)|(?<=[\p{Script=Han}\d])\s+(?=\p{Script=Han})/u;

/**
 * The dates a story gives for its (first) payment: those of paymentDates, but not those of a
 * clause about a later event only (the last payment, a withdrawal, being blocked).
 */
export function firstPaymentDates(s: string, today: string): Set<string> {
  const values = new Set<string>();
  // "a 3,000 deposit": the thousands' comma is no clause break.
  const clauses = s.replace(/(\d),(?=\d{3}(?!\d))/gu, '$1').split(DATE_CLAUSE);
  // 「同事上个月找我借了两千 … 他这周一突然离职了」, "paid … back in october. wedding was last
  // saturday": the payment's time is said vaguely, so the exact day named is another event's.
  if (
    clauses.some(
      (c) => VAGUE_WHEN.test(c) && PAID_OR_LENT.test(c) && paymentDates(c, today).size === 0,
    )
  )
    return values;
  for (const clause of clauses) {
    const onlyLater = /最后一|最近一|\blast\b/u.test(clause)
      ? LATER.test(clause)
      : LATER.test(clause) && !PAID.test(clause.replace(LATER, ''));
    if (!onlyLater) for (const date of paymentDates(clause, today)) values.add(date);
  }
  return values;
}

/** The dates of the story's clauses about paying (see oneDate). */
export function paymentDates(s: string, today: string): Set<string> {
  const values = new Set<string>();
  for (const clause of s.split(DATE_CLAUSE)) {
    if (PROMISED.test(clause)) continue;
    const learnt = LEARNT.test(clause) && !PAID.test(clause.replace(LEARNT, ''));
    const at = clause.search(LEARNT);
    for (const m of clause.matchAll(DATE_IN_TEXT)) {
      // 「昨天对账才发现付了1000」: the date just before finding out is the day found out.
      const end = (m.index ?? 0) + m[0].length;
      const before = at >= end && !PAID.test(clause.slice(end, at));
      // "my landlord called me today saying i paid…": the date just after being contacted is
      // the contact's, when no payment comes between.
      const start = m.index ?? 0;
      const after =
        at >= 0 && at < start && start - at <= 20 && !PAID.test(clause.slice(at, start));
      if (after) continue;
      const read = JUST_NOW.test(m[0])
        ? ({ ok: true, value: today } as const)
        : parseDate(m[0], today);
      if (read.ok && !learnt && !before) values.add(read.value);
    }
  }
  return values;
}

/** More than a word or two: Chinese of six characters or more, or three words or more. */
export function isStory(s: string): boolean {
  const han = s.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= 6 || s.split(/\s+/).filter(Boolean).length >= 3;
}
