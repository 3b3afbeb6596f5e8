import type { CompiledFlow } from '../flow/compile.js';
import type { ChoiceStep, Step } from '../flow/schema.js';
import { intentValue, type StepClassifier } from './classify/step-classifier.js';
import type { Thresholds } from './classify/thresholds.js';
import { NOW_AFTER_PAST, PAST } from './interpret/yesno.js';
import {
  namedOptions,
  normalize,
  parseYesNo,
  UNSURE,
  type Interpretation,
} from './interpret/index.js';
import { keys } from './render.js';
import { offersUnsure } from '../flow/unsure.js';
import type { StepWords } from './step-words.js';

/** Who reads the answer: the rules, the classifier alone (nlu-eval), or both. */
export type Reader = 'rules' | 'classifier' | 'combined';

export interface MeaningContext {
  flow: CompiledFlow;
  words: StepWords;
  classifier: StepClassifier;
  reader: Reader;
  thresholds: Thresholds;
}

/**
 * The answer by meaning, where the rules found none (`read`): the step's classifier ranks its
 * intents; above the step kind's threshold the top one is taken, between the thresholds it is
 * shown back to confirm, below it the question is asked again. Undefined when the classifier
 * has nothing to say (no model, no reading): the rules' answer stands.
 */
export function byMeaning(
  ctx: MeaningContext,
  stepId: string,
  text: string,
  read: Interpretation | undefined,
): Interpretation | undefined {
  const { flow, classifier, thresholds } = ctx;
  const step = flow.step(stepId);
  // The classifier alone (nlu-eval's measure of the model) reads every message as it is.
  const raw = ctx.reader === 'classifier';
  const ranked =
    raw || mayGuess(ctx, stepId, step, text) ? classifier.rank(stepId, text) : undefined;
  const top = ranked?.[0];
  if (!step || !top || (step.type !== 'choice' && step.type !== 'input')) return undefined;
  const yesNo = step.type === 'input';
  const value = intentValue(top.intent, yesNo);
  const kind = yesNo ? (step.strict ? 'strict' : 'yesno') : 'choice';
  const unread: Interpretation = read ?? {
    ok: false,
    reason: yesNo ? (step.strict ? 'yesnoStrict' : 'yesno') : 'choice',
  };
  // A safety question's "no" is the rules' to give, only when it is plainly no.
  if (value === undefined || (!raw && kind === 'strict' && value === false)) return unread;
  // "不知道是不是被骗了": a doubt chooses only a "not sure" option. Where a yes/no question
  // offers no "not sure" (flow/unsure.ts), a doubt is asked again, not read as "no" by
  // the model (「不知道」 at ask-can-reach: no 0.97, `test/corpus/understanding.ts`).
  const doubtless =
    step.type === 'choice'
      ? !isUnsureOption(ctx.words, stepId, step, top.intent)
      : !offersUnsure(step);
  if (!raw && doubtless && parseYesNo(text) === UNSURE) return unread;
  if (raw) return { ok: true, value };
  // 「以前可以」 says how it was, not how it is: at most shown back, never taken.
  const s = normalize(text);
  const pastOnly = yesNo && PAST.test(s) && !NOW_AFTER_PAST.test(s);
  if (top.p >= thresholds.take[kind] && !pastOnly) return { ok: true, value, meaning: true };
  // Between: ask, showing the reading. A safety question's reading is "yes" or "not sure"
  // (its "no" is never shown back, above): one question, never the alarm unconfirmed.
  if (top.p < thresholds.ask[kind]) return unread;
  if (step.type === 'choice') {
    const number = step.options.findIndex((o) => o.id === top.intent) + 1;
    const optionKey = keys.option(flow.definition.id, stepId, top.intent);
    return { ok: false, reason: 'guess', vars: { number: String(number), optionKey } };
  }
  return {
    ok: false,
    reason: 'guessYesNo',
    vars: { optionKey: `common:guessWords.${top.intent}` },
  };
}

/**
 * Where a reading by meaning would be a guess the rules rightly refuse: a number or a
 * word without letters ("9", "八": an option number out of range is asked again), an
 * either-or, a doubt, or a message that names two options ("转账" is either transfer,
 * "孩子用了奶奶的手机" a child or an elder).
 */
function mayGuess(
  ctx: MeaningContext,
  stepId: string,
  step: Step | undefined,
  text: string,
): boolean {
  const s = normalize(text);
  if ((s.match(/\p{Script=Han}/gu)?.length ?? 0) < 2 && !/[a-z]{2,}/u.test(s)) return false;
  if (/还是|或者|\bor\b/u.test(s)) return false;
  if (step?.type !== 'choice') return true;
  const options = ctx.words.choice(stepId, step);
  // A fragment several options share ("转账") is no more one of them than the other.
  const sharing = options.filter((o) => o.words.some((w) => w.includes(s))).length;
  return sharing < 2 && namedOptions(s, options).length < 2;
}

function isUnsureOption(
  words: StepWords,
  stepId: string,
  step: ChoiceStep,
  optionId: string,
): boolean {
  const option = words.choice(stepId, step).find((o) => o.id === optionId);
  return option?.words.some((w) => parseYesNo(w) === UNSURE) ?? false;
}
