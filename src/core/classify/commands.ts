import type { CompiledFlow } from '../../flow/compile.js';
import { COMMAND_INTENTS, type FlowDefinition } from '../../flow/schema.js';
import { COMMAND_WORDS } from '../commands.js';
import type { ModelBank } from './bank.js';
import { NONE, trainRanker, type Ranker, type Reading } from './index.js';

const REPEAT = 4;

export type CommandIntent = (typeof COMMAND_INTENTS)[number];

/**
 * The commands said in a sentence (「能不能回到上一个问题」, "I'd rather talk to a real
 * person"): the flow's `commands.examples`, the commands' own words, and as `none` every
 * other example the flow has (answers and stories are not commands) with the `none` ones.
 * Undefined for a flow without command examples.
 */
export function commandTrainingData(
  definition: FlowDefinition,
): Array<[text: string, intent: string]> | undefined {
  const examples = definition.commands?.examples;
  if (!examples) return undefined;
  const pairs: Array<[string, string]> = [];
  const add = (intent: string, byLang: Partial<Record<string, string[]>> | undefined) => {
    for (const text of Object.values(byLang ?? {}).flat()) if (text) pairs.push([text, intent]);
  };
  // A dozen sentences a command against every answer of the flow: each is taught REPEAT
  // times, or the answers' weight drowns them (cross-validated on the examples: see docs).
  for (let r = 0; r < REPEAT; r++)
    for (const intent of COMMAND_INTENTS) {
      for (const word of COMMAND_WORDS[intent]) if (/\p{L}/u.test(word)) pairs.push([word, intent]);
      add(intent, examples[intent]);
    }
  add(NONE, examples.none);
  for (const step of Object.values(definition.steps)) {
    if (step.type === 'choice') {
      for (const option of step.options) add(NONE, option.examples);
      add(NONE, step.examples?.none);
    } else if (step.type === 'input' && step.examples)
      for (const byLang of Object.values(step.examples)) add(NONE, byLang);
  }
  for (const interrupt of definition.interrupts ?? []) {
    add(NONE, interrupt.examples?.signal);
    add(NONE, interrupt.examples?.none);
  }
  return pairs;
}

export interface CommandReader {
  /** The commands and `none` ranked for a message, most likely first. */
  rank(text: string): Reading[];
}

// One model per flow definition: every kit of the same flow shares it.
const trained = new WeakMap<FlowDefinition, Ranker>();

export function createCommandReader(
  flow: CompiledFlow,
  bank?: ModelBank,
): CommandReader | undefined {
  const pairs = commandTrainingData(flow.definition);
  if (!pairs) return undefined;
  const ranker = () => {
    const known = trained.get(flow.definition);
    if (known) return known;
    const built = trainRanker(pairs, bank);
    trained.set(flow.definition, built);
    return built;
  };
  return { rank: (text) => ranker()(text) };
}
