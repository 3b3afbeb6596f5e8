import { detectLanguage } from '../language.js';
import { say, type Handler } from './turn.js';

/** Longer messages are refused unread: no answer is that long, and parsing 100 KB costs. */
export const MAX_INPUT_CHARS = 2000;

/** A message over MAX_INPUT_CHARS gets one short reply; the session is left as it was. */
export const tooLong: Handler = (turn, next) => {
  if (!isTooLong(turn.inbound.text)) return next(turn);
  const lang =
    turn.session?.lang ?? turn.inbound.lang ?? detectLanguage(turn.inbound.text.slice(0, 200));
  return {
    session: turn.session ?? null,
    replies: [say(turn.flows.translators(lang)('common:tooLong', { max: MAX_INPUT_CHARS }))],
  };
};

/**
 * Over MAX_INPUT_CHARS characters as people count them (code points: an emoji is one, not the
 * two UTF-16 units `length` counts; red-team m17). Counted only when it could matter.
 */
function isTooLong(text: string): boolean {
  if (text.length <= MAX_INPUT_CHARS) return false;
  if (text.length > 2 * MAX_INPUT_CHARS) return true;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    // A high surrogate starts a two-unit character: count it once.
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) i++;
    if (++count > MAX_INPUT_CHARS) return true;
  }
  return false;
}
