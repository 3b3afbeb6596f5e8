import type { InputKind } from '../../flow/schema.js';
import type { FactValue } from '../../shared/types.js';
import { parseDate, type DateProblem } from './date.js';
import { readMoney, type MoneyProblem } from './money.js';
import { normalize } from './normalize.js';
import { parseYesNo, parseYesNoStrict, type YesNoHints } from './yesno.js';

export {
  mentionedOption,
  namedOptions,
  parseChoice,
  phraseFinder,
  phraseMatcher,
  type ChoiceOption,
} from './choice.js';
export { normalize, hasHan } from './normalize.js';
export { parseYesNo, parseYesNoStrict, UNSURE, type YesNo, type YesNoHints } from './yesno.js';

/** Why an answer was not understood; each reason has its own re-prompt in locales/. */
export type Rejection =
  | MoneyProblem
  | DateProblem
  | 'yesno'
  | 'yesnoStrict'
  /** "Not sure" to a question that offers only yes or no (flow/unsure.ts). */
  | 'yesnoOnly'
  | 'yesnoSignal'
  | 'moneyNotBelow'
  | 'dateBeforeFirst'
  | 'text'
  | 'textTooLong'
  /** A text answer that is a correction of another fact ("oh wait, it was 200 not 500"). */
  | 'textCorrection'
  | 'choice'
  /** The classifier's reading, not sure enough to take: shown back to be confirmed. */
  | 'guess'
  | 'guessYesNo'
  /** A safety question's reading shown back, naming the scam signal the answer carries. */
  | 'guessYesNoSignal';
export type Interpretation =
  /** `meaning`: read by the classifier, not the rules (it is then read back). */
  | { ok: true; value: FactValue; meaning?: true }
  | {
      ok: false;
      reason: Rejection;
      /** What was understood, shown back in the re-prompt. */ vars?: Record<string, string>;
    };

export const MAX_TEXT_ANSWER = 500;

/** What people type to skip an optional question. The stored value is '' ("not given"). */
const SKIP = new Set([
  '跳过',
  '不知道',
  '不清楚',
  '不记得',
  '没有',
  '无',
  '看不到',
  '看不见',
  '找不到',
  '没显示',
  '不显示',
  '忘了',
  '忘记了',
  '记不得',
  '不确定',
  '没看到',
  '略',
  '算了',
  '空',
  'skip',
  'pass',
  "don't know",
  'dont know',
  'unknown',
  'none',
  'no idea',
  'idk',
  'n/a',
  "can't see it",
  'cant see it',
  "i can't see it",
  'na',
  'not shown',
  "can't see",
  'cant see',
  "don't remember",
  'dont remember',
  'forgot',
  'not sure',
  '-',
]);
const SKIP_PARTICLES = /[的啊呀吧哦呢了嘛]+$/u;
// "显示的是 小王", "it says Xiao Wang": the name is what follows.
const NAME_LEAD =
  /^(?:显示的?是|显示为|显示|上面写的?是|写的是|名字是|昵称是|it says|it shows|shows|the name is|name is|it's|its)\s*[:：]?\s*/iu;

function isSkip(text: string): boolean {
  const s = normalize(text);
  return SKIP.has(s) || SKIP.has(s.replace(SKIP_PARTICLES, ''));
}

export function interpretInput(
  kind: InputKind,
  text: string,
  today: string,
  optional = false,
  hints?: YesNoHints,
  /** A safety question: "no" only when plainly no (see parseYesNoStrict). */
  strict = false,
): Interpretation {
  if (optional && isSkip(text)) return { ok: true, value: '' };
  switch (kind) {
    case 'money': {
      const read = readMoney(text);
      if (read.ok) return { ok: true, value: read.value };
      return {
        ok: false,
        reason: read.reason,
        vars: read.detail ? { detail: read.detail } : undefined,
      };
    }
    case 'date':
      return parseDate(text, today);
    case 'yesno': {
      const value = strict ? parseYesNoStrict(text, hints) : parseYesNo(text, hints);
      if (value !== undefined) return { ok: true, value };
      return { ok: false, reason: strict ? 'yesnoStrict' : 'yesno' };
    }
    case 'text': {
      // One line, no control, direction-override or private-use characters (render.ts uses those): the answer is quoted inside
      // texts meant for the police, and must not be able to break or reorder them.
      const written = text
        .normalize('NFKC')
        .replace(/[\p{Cc}\p{Cf}\p{Co}\u2028\u2029]+/gu, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      const value = written.replace(NAME_LEAD, '').trim() || written;
      if (normalize(value) === '') return { ok: false, reason: 'text' };
      if (value.length > MAX_TEXT_ANSWER) return { ok: false, reason: 'textTooLong' };
      return { ok: true, value };
    }
  }
}
