import type { CompiledFlow } from '../../flow/compile.js';
import { LANGS, type FactValue } from '../../shared/types.js';
import type { Translators } from '../ports.js';
import { keys } from '../render.js';
import type { ModelBank } from './bank.js';
import { NONE, trainingData, trainRanker, type Ranker, type Reading } from './index.js';

/**
 * One classifier per step with examples, trained on first use from the flow itself (a few
 * milliseconds a step; no file, no cache to go stale).
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
    const step = flow.step(stepId);
    const pairs =
      step &&
      trainingData(step, (option) =>
        LANGS.map((lang) => translators(lang)(keys.option(flow.definition.id, stepId, option))),
      );
    const built = pairs ? trainRanker(pairs, bank) : null;
    rankers.set(stepId, built);
    return built;
  };
  return { rank: (stepId, text) => ranker(stepId)?.(text) };
}

/** The fact value an intent stands for: an option id, or true / false / 'unsure'. */
export function intentValue(intent: string, yesNo: boolean): FactValue | undefined {
  if (intent === NONE) return undefined;
  if (!yesNo) return intent;
  return intent === 'yes' ? true : intent === 'no' ? false : 'unsure';
}
