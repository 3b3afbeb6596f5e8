import { normalize } from '../interpret/normalize.js';

/**
 * What the classifier sees of a message: character n-grams of 1–3 over each run of Chinese
 * (no segmenter needed: 「唔係」, 「再」 for 「在」 and half-typed words still share most
 * grams with the examples), and for Latin text the words, word pairs and the letters of
 * each word in threes (so "scamed" is near "scammed"). Digits are folded to one sign: an
 * amount says little about which option a message chooses. Mixed messages get both.
 */
export function features(text: string): string[] {
  const s = normalize(text)
    .replace(/\d+(?:\.\d+)?/gu, '0')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ');
  const out: string[] = [];
  for (const run of s.match(/\p{Script=Han}+/gu) ?? []) {
    const padded = `^${run}$`;
    for (let n = 1; n <= 3; n++)
      for (let i = 0; i + n <= padded.length; i++) {
        const gram = padded.slice(i, i + n);
        if (gram !== '^' && gram !== '$') out.push(gram);
      }
  }
  const words = s
    .replace(/\p{Script=Han}+/gu, ' ')
    .split(/\s+/u)
    .filter(Boolean)
    .map((w) => w.replace(/'/gu, ''));
  words.forEach((w, i) => {
    out.push(`w:${w}`);
    if (i > 0) out.push(`b:${words[i - 1]}_${w}`);
    const padded = `<${w}>`;
    if (padded.length > 4)
      for (let j = 0; j + 3 <= padded.length; j++) out.push(`c:${padded.slice(j, j + 3)}`);
  });
  return out;
}
