import type { CompiledFlow } from '../flow/compile.js';
import type { ModelBank } from './classify/bank.js';
import { NONE, trainRanker, type Ranker } from './classify/index.js';

/** What a correction names: the amount, the date, the recipient's name, or that it is empty. */
export type CorrectionKind = 'amount' | 'date' | 'recipient' | 'empty';
const KINDS: readonly CorrectionKind[] = ['amount', 'date', 'recipient', 'empty'];

/**
 * The correction form of a message by meaning ("oh wait, it was 200 not 500" corrects the
 * amount, 「名字那栏是空的」 says the name is empty), learnt from the flow's `corrections:`
 * examples, with the options' examples as messages that correct nothing. The value is
 * always read by the typed readers, never by the model.
 */
export interface CorrectionForm {
  /** The kind, when the model is sure enough (CORRECTION_TAKE); otherwise undefined. */
  kind(text: string): CorrectionKind | undefined;
  /** How likely the message is a correction of any kind (one minus "corrects nothing"). */
  correcting(text: string): number;
}

/** Chosen on test/understanding.test.ts's corrections (none misread). */
export const CORRECTION_TAKE = 0.75;

const built = new WeakMap<CompiledFlow, Ranker | null>();

export function createCorrectionForm(flow: CompiledFlow, bank?: ModelBank): CorrectionForm {
  // Taken from the bank (dist/flow-cache), else trained on the first message that may be a
  // correction, not at start-up.
  const ranker = () => {
    if (!built.has(flow)) {
      const pairs = correctionTrainingData(flow);
      built.set(flow, pairs ? trainRanker(pairs, bank) : null);
    }
    return built.get(flow) ?? null;
  };
  return {
    kind(text) {
      const top = ranker()?.(text)[0];
      if (!top || top.intent === NONE || top.p < CORRECTION_TAKE) return undefined;
      return KINDS.find((k) => k === top.intent);
    },
    correcting(text) {
      const none = ranker()?.(text).find((r) => r.intent === NONE);
      return none ? 1 - none.p : 0;
    },
  };
}

/** The correction forms' examples, and every answer example as "corrects nothing". */
export function correctionTrainingData(flow: CompiledFlow): Array<[string, string]> | undefined {
  const forms = flow.definition.corrections;
  if (!forms) return undefined;
  const all = (byLang: Partial<Record<string, string[]>> | undefined) =>
    Object.values(byLang ?? {}).flatMap((texts) => texts ?? []);
  const pairs: Array<[string, string]> = [];
  for (const kind of KINDS) for (const text of all(forms[kind])) pairs.push([text, kind]);
  for (const text of all(forms.none)) pairs.push([text, NONE]);
  // Answers to the questions are not corrections: every option's and answer's examples.
  for (const step of Object.values(flow.definition.steps)) {
    if (step.type === 'choice')
      for (const o of step.options) for (const text of all(o.examples)) pairs.push([text, NONE]);
    if (step.type === 'input' && step.examples)
      for (const byLang of Object.values(step.examples))
        for (const text of all(byLang)) pairs.push([text, NONE]);
  }
  return pairs;
}
