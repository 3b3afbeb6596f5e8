/**
 * What no reply can carry: XML 1.0's forbidden characters (controls other than tab and
 * newlines, lone surrogates) and every Unicode noncharacter (U+FDD0–U+FDEF and the last two
 * code points of each plane, U+FFFE/U+FFFF among them). A user's text is quoted back (a
 * re-prompt, the texts to copy, the police outline), and a webhook reply is XML: such a
 * character is dropped where the text comes in, for every channel (red-team m19).
 */
export const UNSHOWABLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]|\p{Cs}/gu;

/** The text without what UNSHOWABLE matches (the same string when there is none). */
export function showable(text: string): string {
  UNSHOWABLE.lastIndex = 0;
  return UNSHOWABLE.test(text) ? text.replace(UNSHOWABLE, '') : text;
}
