import type { CompiledFlow } from '../flow/compile.js';
import type { FeatureSet } from './classify/features.js';
import { trainingSets } from './classify/step-classifier.js';
import { correctionTrainingData } from './correction-form.js';
import type { Translators } from './ports.js';
import { storyTrainingData } from './story-yesno.js';

/**
 * Every model a flow's understanding trains, and what each learns from: the steps', the
 * signals' and the commands' (classify/step-classifier.ts), each story yes/no reader's and
 * the correction form's. The model cache trains and keeps all of them at the build, so
 * neither a start nor a first story or correction trains anything.
 */
export function allTrainingSets(
  flow: CompiledFlow,
  translators: Translators,
): Array<{ name: string; pairs: Array<[string, string]>; set: FeatureSet }> {
  const out = trainingSets(flow, translators);
  for (const { stepId, pairs } of storyTrainingData(flow))
    out.push({ name: `story ${stepId}`, pairs, set: 'plain' });
  const corrections = correctionTrainingData(flow);
  if (corrections) out.push({ name: 'corrections', pairs: corrections, set: 'plain' });
  return out;
}
