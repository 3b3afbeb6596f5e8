import type { CompiledFlow } from '../../flow/compile.js';
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
    trainingData(step, (option) =>
      LANGS.map((lang) => translators(lang)(keys.option(flow.definition.id, stepId, option))),
    )
  );
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
    if (pairs) out.push({ name: `signal ${interrupt.id}`, pairs, set: 'signal' });
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
