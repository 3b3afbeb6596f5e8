import type { CompiledFlow } from '../../flow/compile.js';
import type { ChoiceStep, Step } from '../../flow/schema.js';
import { LANGS, type FactValue } from '../../shared/types.js';
import type { Translators } from '../ports.js';
import { keys } from '../render.js';
import type { ModelBank } from './bank.js';
import { commandTrainingData } from './commands.js';
import { signalTrainingData } from './signal.js';
import {
  NONE,
  trainingData,
  trainRanker,
  type FeatureSet,
  type Ranker,
  type Reading,
} from './index.js';

/**
 * One classifier per step with examples, from the flow itself: taken from the bank when it
 * holds the model for the step's examples (a compiled build keeps them in dist/flow-cache),
 * else trained on first use (a few milliseconds a step).
 */
export interface StepClassifier {
  /** The step's intents ranked for `text`, or undefined when the step has no examples. */
  rank(stepId: string, text: string): Reading[] | undefined;
}

// Trained once per compiled flow and words: every reader of the same flow shares them.
const trained = new WeakMap<CompiledFlow, WeakMap<Translators, Map<string, Ranker | null>>>();

export function createStepClassifier(
  flow: CompiledFlow,
  translators: Translators,
  bank?: ModelBank,
): StepClassifier {
  const byWords = trained.get(flow) ?? new WeakMap<Translators, Map<string, Ranker | null>>();
  trained.set(flow, byWords);
  const rankers = byWords.get(translators) ?? new Map<string, Ranker | null>();
  byWords.set(translators, rankers);
  const ranker = (stepId: string): Ranker | null => {
    const known = rankers.get(stepId);
    if (known !== undefined) return known;
    const pairs = stepTrainingData(flow, translators, stepId);
    const built = pairs ? trainRanker(pairs, bank, 'answer') : null;
    rankers.set(stepId, built);
    return built;
  };
  return { rank: (stepId, text) => ranker(stepId)?.(text) };
}

/** A step's examples with its options' labels in every language, or undefined (none). */
export function stepTrainingData(
  flow: CompiledFlow,
  translators: Translators,
  stepId: string,
): Array<[string, string]> | undefined {
  const step = flow.step(stepId);
  return (
    step &&
    trainingData(withTwinExamples(flow, step), (option) =>
      LANGS.map((lang) => translators(lang)(keys.option(flow.definition.id, stepId, option))),
    )
  );
}

/**
 * A choice without examples of its own that asks the same fact with the same options as
 * another step (check-bill asks payment-kind's question again after the user looked at the
 * bill) learns from that step's examples. Measured on the nlu-eval dev half: check-bill,
 * with no classifier, understood 26 of its 51 answers; with payment-kind's examples 42, none
 * misread. Borrowed here rather than copied in the flow: every answer example is also a
 * negative of the story readers and the correction form, and copies moved both
 * (`test/stories-heldout.test.ts`).
 */
function withTwinExamples(flow: CompiledFlow, step: Step): Step {
  if (step.type !== 'choice' || step.examples || step.options.some((o) => o.examples)) return step;
  const ids = step.options.map((o) => o.id).join('\u0000');
  const twin = Object.values(flow.definition.steps).find(
    (other): other is ChoiceStep =>
      other.type === 'choice' &&
      other !== step &&
      other.fact === step.fact &&
      other.options.map((o) => o.id).join('\u0000') === ids &&
      other.options.some((o) => o.examples),
  );
  if (!twin) return step;
  return {
    ...step,
    ...(twin.examples ? { examples: twin.examples } : {}),
    options: step.options.map((o, i) => ({ ...o, examples: twin.options[i]?.examples })),
  };
}

/**
 * Every model a flow's conversations can use: each step's, each signal's, the commands'.
 * What the model cache trains once and keeps (adapters/files/model-cache.ts).
 */
export function trainingSets(
  flow: CompiledFlow,
  translators: Translators,
): Array<{ name: string; pairs: Array<[string, string]>; set: FeatureSet }> {
  const out: Array<{ name: string; pairs: Array<[string, string]>; set: FeatureSet }> = [];
  for (const stepId of Object.keys(flow.definition.steps)) {
    const pairs = stepTrainingData(flow, translators, stepId);
    if (pairs) out.push({ name: `step ${stepId}`, pairs, set: 'answer' });
  }
  for (const interrupt of flow.definition.interrupts ?? []) {
    const pairs = signalTrainingData(interrupt, flow.definition);
    if (pairs) out.push({ name: `signal ${interrupt.id}`, pairs, set: 'plain' });
  }
  const commands = commandTrainingData(flow.definition);
  if (commands) out.push({ name: 'commands', pairs: commands, set: 'plain' });
  return out;
}

/** The fact value an intent stands for: an option id, or true / false / 'unsure'. */
export function intentValue(intent: string, yesNo: boolean): FactValue | undefined {
  if (intent === NONE) return undefined;
  if (!yesNo) return intent;
  return intent === 'yes' ? true : intent === 'no' ? false : 'unsure';
}
