import { CHINESE_NUMERAL, decodeChineseNumber } from './chinese-number.js';
import { normalize } from './normalize.js';

const MAX_YUAN = 1_000_000_000;
const CURRENCY_AFTER = '(?:块钱|块|元|圆|rmb|yuan|kuai|cny)';
const CURRENCY_BEFORE = '(?:¥|¥|rmb|cny)';
const MULTIPLIER: Record<string, number> = { 万: 10_000, w: 10_000, 千: 1_000, k: 1_000 };

const ARABIC = new RegExp(
  `(${CURRENCY_BEFORE}\\s*)?(\\d+(?:\\.\\d+)?)\\s*(万|w|千|k)?\\s*(${CURRENCY_AFTER})?`,
  'gu',
);
const CHINESE = new RegExp(`(${CHINESE_NUMERAL.source})\\s*(${CURRENCY_AFTER})?`, 'gu');

/** Dates and times in the same sentence ("11月20日转了500") are not amounts. */
const DATES =
  /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}月\d{1,2}[日号]?|\d{1,2}[日号]|\d{1,2}:\d{2}|(?:\d+|[零〇一二两三四五六七八九十]+)\s*(?:天|周|个?星期|个月|年|点|号|days?|weeks?)/gu;

interface Candidate {
  value: number;
  hasCurrency: boolean;
}

/**
 * An amount in yuan from text like "500", "¥500", "500元", "五百块", "1.5万", "两千三" or
 * "转错了五百块". When the text holds several numbers, the one marked as money wins; if that
 * is still ambiguous, nothing is guessed.
 */
export function parseMoney(text: string): number | undefined {
  const s = normalize(text)
    .replace(/(\d),(?=\d{3})/g, '$1')
    .replace(DATES, ' ');
  // Chinese numerals are looked for only where no Arabic amount stood, so 1.5万 stays one amount.
  const candidates = [...arabicCandidates(s), ...chineseCandidates(s.replace(ARABIC, ' '))];
  const marked = candidates.filter((c) => c.hasCurrency);
  const pool = marked.length > 0 ? marked : candidates;
  const values = [...new Set(pool.map((c) => c.value))];
  if (values.length !== 1) return undefined;
  const value = Math.round((values[0] ?? 0) * 100) / 100;
  return value > 0 && value <= MAX_YUAN ? value : undefined;
}

function arabicCandidates(s: string): Candidate[] {
  return [...s.matchAll(ARABIC)].map((m) => ({
    value: Number(m[2]) * (MULTIPLIER[m[3] ?? ''] ?? 1),
    hasCurrency: Boolean(m[1] || m[4]),
  }));
}

function chineseCandidates(s: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of s.matchAll(CHINESE)) {
    const digits = m[1] ?? '';
    // A lone 一 is usually "a/one" in a sentence ("一个人"), not an amount.
    if (digits === '一' && !m[2]) continue;
    const value = decodeChineseNumber(digits);
    if (value !== undefined) out.push({ value, hasCurrency: Boolean(m[2]) });
  }
  return out;
}
