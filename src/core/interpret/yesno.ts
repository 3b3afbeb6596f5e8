import { normalize } from './normalize.js';

const YES = new Set(['是', '是的', '对', '对的', '嗯', '嗯嗯', '有', '有的', '好', '好的', '要', '需要', '可以', '没错', '确认', '确定', 'yes', 'y', 'yeah', 'yep', 'ok', 'okay', 'sure', 'correct', 'right']);
const NO = new Set(['不是', '否', '没有', '没', '不', '不要', '不用', '不对', '不需要', '还没', '没呢', 'no', 'n', 'nope', 'not', 'nah', 'never']);

/** Yes or no from what people type: 是/对/有/不是/没有/yes/no/y/n, also at the start of a sentence. */
export function parseYesNo(text: string): boolean | undefined {
  const s = normalize(text);
  if (YES.has(s)) return true;
  if (NO.has(s)) return false;
  // "不是的，我自己转的" / "no, it was me" / "是，他一直在催"
  if (/^(不|没|别|no\b|not\b|nope\b)/u.test(s)) return false;
  if (/^(是|对|有|嗯|yes\b|yeah\b|yep\b)/u.test(s)) return true;
  return undefined;
}
