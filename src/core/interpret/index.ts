import type { InputKind } from '../../flow/schema.js';
import type { FactValue } from '../types.js';
import { parseDate } from './date.js';
import { parseMoney } from './money.js';
import { normalize } from './normalize.js';
import { parseYesNo } from './yesno.js';

export { parseChoice, type ChoiceOption } from './choice.js';
export { normalize, hasHan } from './normalize.js';
export { parseYesNo } from './yesno.js';

/** Why an answer was not understood; each reason has its own re-prompt in locales/. */
export type Rejection = 'money' | 'date' | 'dateFuture' | 'yesno' | 'text' | 'textTooLong' | 'choice';
export type Interpretation = { ok: true; value: FactValue } | { ok: false, reason: Rejection };

export const MAX_TEXT_ANSWER = 500;

export function interpretInput(kind: InputKind, text: string, today: string): Interpretation {
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
