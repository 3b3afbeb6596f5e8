import type { Step } from './schema.js';

/**
 * Whether a story (the first message, or an answer that says more) may give this step's
 * fact: the options of a choice (by their words, never by a number) and amounts and dates.
 * Yes/no answers and names are never guessed from a story; a step that asks again on
 * purpose, or one marked `story: false`, is left to ask.
 */
export function isExtractable(step: Step): boolean {
  if (step.type === 'choice')
    return (
      Boolean(step.fact) && !step.reask && step.story !== false && !step.options.some((o) => o.ages)
    );
  return (
    step.type === 'input' &&
    step.story !== false &&
    (step.input === 'money' || step.input === 'date')
  );
}
