import nzh from 'nzh/cn';

/**
 * Chinese numerals as people say amounts. nzh decodes the formal forms (五百, 一千零五十);
 * it does not know 两, and reads the colloquial "两千三" (2300) and "一万五" (15000) as
 * 2003 and 10005, so those are rewritten to the formal form first.
 */
const UNITS = ['十', '百', '千', '万', '亿'] as const;
const NEXT_SMALLER: Record<string, string> = { 百: '十', 千: '百', 万: '千', 亿: '千万' };

export const CHINESE_NUMERAL = /[零〇一二两三四五六七八九十百千万亿]+/u;

export function decodeChineseNumber(text: string): number | undefined {
  if (!CHINESE_NUMERAL.test(text) || !new RegExp(`^${CHINESE_NUMERAL.source}$`, 'u').test(text))
    return undefined;
  let s = text.replace(/两/g, '二').replace(/〇/g, '零');
  // Colloquial abbreviation: a single trailing digit right after a unit means the next unit down.
  const tail = /([百千万亿])([一二三四五六七八九])$/u.exec(s);
  if (tail && tail[1] && tail[2]) s = `${s}${NEXT_SMALLER[tail[1]] ?? ''}`;
  if (!UNITS.some((u) => s.includes(u)) && s.length > 1) {
    // Digit by digit, e.g. 五二零 = 520.
    return Number([...s].map((c) => DIGITS.indexOf(c)).join(''));
  }
  const value = Number(nzh.decodeS(s));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

const DIGITS = '零一二三四五六七八九';
