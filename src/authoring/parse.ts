import type { CompiledFlow } from '../flow/compile.js';
import type { Facts } from '../shared/types.js';
import type { Understanding } from '../core/understand.js';

/** What one message says, as `npm run flow -- parse` prints it. */
export interface ParseResult {
  facts: Facts;
  /** Why the answer to the step was not taken (a re-prompt reason such as "moneyRange"). */
  unclear: string[];
  /** The step's classifier: its three likeliest intents with their probability. */
  intents?: Array<{ intent: string; p: number }>;
}

/**
 * A message read the way the conversation reads it: as the answer to `stepId` plus every
 * other fact it states, or, without a step, as an opening message (a story).
 */
export function parseMessage(
  flow: CompiledFlow,
  understanding: Understanding,
  stepId: string | undefined,
  text: string,
  today: string,
  rank?: (stepId: string, text: string) => Array<{ intent: string; p: number }> | undefined,
): ParseResult {
  const facts: Facts = {};
  const unclear: string[] = [];
  const step = stepId === undefined ? undefined : flow.step(stepId);
  if (stepId !== undefined && step && 'fact' in step && step.fact) {
    const answer = understanding.answer(stepId, text, today);
    if (answer.ok) facts[step.fact] = answer.value;
    else unclear.push(answer.reason);
  }
  const ranked = stepId === undefined ? undefined : rank?.(stepId, text);
  const intents = ranked
    ?.slice(0, 3)
    .map(({ intent, p }) => ({ intent, p: Math.round(p * 100) / 100 }));
  return {
    facts: { ...facts, ...understanding.extract(text, today, facts, stepId) },
    unclear,
    ...(intents ? { intents } : {}),
  };
}
