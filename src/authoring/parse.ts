import type { CompiledFlow } from '../flow/compile.js';
import type { Facts } from '../shared/types.js';
import type { Understanding } from '../core/understand.js';
import { createCommandReader, type CommandReader } from '../core/classify/commands.js';
import { createSignalReader, isStory, type SignalReader } from '../core/classify/signal.js';
import { SIGNAL_THRESHOLD } from '../core/classify/thresholds.js';

/** What one message says, as `npm run flow -- parse` prints it. */
export interface ParseResult {
  facts: Facts;
  /** Why the answer to the step was not taken (a re-prompt reason such as "moneyRange"). */
  unclear: string[];
  /** The step's classifier: its three likeliest intents with their probability. */
  intents?: Array<{ intent: string; p: number }>;
  /** The commands' classifier: its three likeliest readings (`none`: no command). */
  commands?: Array<{ intent: string; p: number }>;
  /** Each signal read by meaning: how likely, and the words it would name when it fires. */
  signals?: Record<string, { p: number; noticed?: string }>;
}

/** The readings by meaning that apply at every step: the commands' and each signal's. */
export interface MeaningReaders {
  commands?: CommandReader | undefined;
  signals: Array<{ id: string; reader: SignalReader }>;
}

export function meaningReaders(flow: CompiledFlow): MeaningReaders {
  return {
    commands: createCommandReader(flow),
    signals: (flow.definition.interrupts ?? []).flatMap((i) => {
      const reader = createSignalReader(i, flow.definition);
      return reader ? [{ id: i.id, reader }] : [];
    }),
  };
}

const round = (p: number) => Math.round(p * 100) / 100;

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
  readers?: MeaningReaders,
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
  const intents = ranked?.slice(0, 3).map(({ intent, p }) => ({ intent, p: round(p) }));
  const commands = readers?.commands
    ?.rank(text)
    .slice(0, 3)
    .map(({ intent, p }) => ({ intent, p: round(p) }));
  const signals = readers?.signals.length
    ? Object.fromEntries(
        readers.signals.map(({ id, reader }) => {
          const noticed = isStory(text) ? reader.find(text, SIGNAL_THRESHOLD) : undefined;
          return [id, { p: round(reader.p(text)), ...(noticed ? { noticed } : {}) }];
        }),
      )
    : undefined;
  return {
    facts: { ...facts, ...understanding.extract(text, today, facts, stepId) },
    unclear,
    ...(intents ? { intents } : {}),
    ...(commands ? { commands } : {}),
    ...(signals ? { signals } : {}),
  };
}
