import type { InputKind } from '../../flow/schema.js';
import type { FactValue } from '../types.js';
import { parseDate } from './date.js';
import { parseMoney } from './money.js';
import { normalize } from './normalize.js';
import { parseYesNo } from './yesno.js';

export { mentionsAny, parseChoice, type ChoiceOption } from './choice.js';
export { normalize, hasHan } from './normalize.js';
export { parseYesNo } from './yesno.js';

/** Why an answer was not understood; each reason has its own re-prompt in locales/. */
export type Rejection = 'money' | 'date' | 'dateFuture' | 'yesno' | 'text' | 'textTooLong' | 'choice';
export type Interpretation = { ok: true; value: FactValue } | { ok: false, reason: Rejection };

export const MAX_TEXT_ANSWER = 500;

/** What people type to skip an optional question. The stored value is '' ("not given"). */
const SKIP = new Set(['跳过', '不知道', '不清楚', '不记得', '没有', '无', 'skip', 'pass', "don't know", 'dont know', 'unknown', 'none', 'no idea']);

export function interpretInput(kind: InputKind, text: string, today: string, optional = false): Interpretation {
  if (optional && SKIP.has(normalize(text))) return { ok: true, value: '' };
  switch (kind) {
    case 'money': {
      const value = parseMoney(text);
      return value === undefined ? { ok: false, reason: 'money' } : { ok: true, value };
    }
    case 'date':
      return parseDate(text, today);
    case 'yesno': {
      const value = parseYesNo(text);
      return value === undefined ? { ok: false, reason: 'yesno' } : { ok: true, value };
    }
    case 'text': {
      const value = text.normalize('NFKC').trim();
      if (normalize(value) === '') return { ok: false, reason: 'text' };
      if (value.length > MAX_TEXT_ANSWER) return { ok: false, reason: 'textTooLong' };
      return { ok: true, value };
    }
  }
}
