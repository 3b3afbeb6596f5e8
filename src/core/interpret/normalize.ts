/**
 * People type on phones: full-width digits (２), full-width punctuation, stray spaces and a
 * closing "。" or "!". NFKC folds the width variants; the rest is trimmed.
 */
export function normalize(text: string): string {
  // The same message is read by several interpreters in a row; remember the last one.
  if (text === last.text) return last.normalized;
  const normalized = text
    .normalize('NFKC')
    .replace(/[\p{Cc}\u200b-\u200d\ufeff]/gu, ' ')
    // Keycap emoji (1️⃣) are the digit with two marks after it.
    .replace(/[\ufe0f\u20e3]/gu, '')
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[。.!！?？~～,，、;；]+$/u, '')
    .toLowerCase();
  last = { text, normalized };
  return normalized;
}

let last = { text: '', normalized: '' };

export function hasHan(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}
