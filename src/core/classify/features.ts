import { normalize } from '../interpret/normalize.js';

/**
 * What the classifier sees of a message: character n-grams of 1–3 over each run of Chinese
 * (no segmenter needed: 「唔係」, 「再」 for 「在」 and half-typed words still share most
 * grams with the examples), and for Latin text the words, word pairs and the letters of
 * each word in threes (so "scamed" is near "scammed"). Digits are folded to one sign: an
 * amount says little about which option a message chooses. Mixed messages get both.
 *
 * Read character by character rather than with `\p{…}` expressions: this runs on every
 * message at every step with examples, and the expressions cost most of a reading.
 */
export function features(text: string): string[] {
  const out: string[] = [];
  const words: string[] = [];
  let han = '';
  let word = '';
  const endHan = () => {
    if (han === '') return;
    const padded = `^${han}$`;
    for (let n = 1; n <= 3; n++)
      for (let i = 0; i + n <= padded.length; i++) {
        const gram = padded.slice(i, i + n);
        if (gram !== '^' && gram !== '$') out.push(gram);
      }
    han = '';
  };
  const endWord = () => {
    if (word !== '') words.push(word);
    word = '';
  };
  for (const ch of normalize(text)) {
    const code = ch.codePointAt(0)!;
    if (isHan(code)) {
      endWord();
      han += ch;
    } else if (code >= 0x30 && code <= 0x39) {
      // A number is one sign, wherever it stands.
      endHan();
      if (!word.endsWith('0')) word += '0';
    } else if ((code >= 0x61 && code <= 0x7a) || (code > 0x7f && /\p{L}/u.test(ch))) {
      endHan();
      word += ch;
    } else if (ch === "'" || ch === '.') {
      // "don't" is "dont", "2.5" one number.
    } else {
      endHan();
      endWord();
    }
  }
  endHan();
  endWord();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    out.push(`w:${w}`);
    if (i > 0) out.push(`b:${words[i - 1]}_${w}`);
    const padded = `<${w}>`;
    if (padded.length > 4)
      for (let j = 0; j + 3 <= padded.length; j++) out.push(`c:${padded.slice(j, j + 3)}`);
  }
  return out;
}

/** CJK ideographs: the unified block, extension A and the compatibility block. */
function isHan(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x20000 && code <= 0x2ffff)
  );
}
