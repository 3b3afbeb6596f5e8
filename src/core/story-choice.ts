import type { CompiledFlow } from '../flow/compile.js';
import { isExtractable } from '../flow/story.js';
import type { Facts } from '../shared/types.js';
import type { StepClassifier } from './classify/step-classifier.js';
import { STORY_CHOICE } from './classify/thresholds.js';

/**
 * A choice a story states in words no option names ("paid the same merchant twice… the till
 * froze" is a duplicate, 「同一笔付了二次 … 点了两下」 too): the step's own classifier, read
 * over the whole story, taken only at `STORY_CHOICE` or above, and only where the words found
 * nothing. Never an option marked `story: false` (the scam, the direction of a transfer) or
 * `none`, nor one that ends the conversation at once. A story with a scam signal keeps none of it that is honest (story-signal.ts).
 */
export function storyChoices(
  flow: CompiledFlow,
  classifier: StepClassifier,
  text: string,
  found: Facts,
  except?: string,
): Facts {
  const out: Facts = {};
  for (const [stepId, step] of Object.entries(flow.definition.steps)) {
    if (stepId === except || step.type !== 'choice' || !isExtractable(step)) continue;
    const fact = step.fact;
    if (!fact || found[fact] !== undefined || out[fact] !== undefined) continue;
    const top = classifier.rank(stepId, text)?.[0];
    if (!top || top.p < STORY_CHOICE) continue;
    const option = step.options.find((o) => o.id === top.intent);
    // An option that ends the conversation at once ("none of these") is no statement.
    const ends = typeof option?.next === 'string' && flow.step(option.next)?.type === 'end';
    if (option && option.story !== false && !ends) out[fact] = option.id;
  }
  return out;
}
