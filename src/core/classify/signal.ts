import type { FlowDefinition, Interrupt } from '../../flow/schema.js';
import { normalize } from '../interpret/normalize.js';
import type { ModelBank } from './bank.js';
import { NONE, trainRanker, type Ranker } from './index.js';

export const SIGNAL = 'signal';

/**
 * A signal read by meaning (an interrupt with `confirm` and `examples`): where none of its
 * phrases is in a message, its classifier says how likely the message shows the signal.
 * Learnt from its own examples (not its phrases: a fragment such as 「另一个」 or "customer
 * service" taught as a signal made honest sentences alarms), and from the answers the flow
 * already labels:
 * an answer that leads to the safe plan (the `escalate` condition's values, a screen's "yes")
 * is the signal, any other answer of those steps (an honest situation, a plain "no") is not.
 * Undefined for an interrupt without examples.
 */
export function signalTrainingData(
  interrupt: Interrupt,
  definition?: FlowDefinition,
): Array<[text: string, intent: string]> | undefined {
  const { examples } = interrupt;
  if (!interrupt.confirm || !examples) return undefined;
  const pairs: Array<[string, string]> = [];
  const add = (intent: string, byLang: Partial<Record<string, string[]>> | undefined) => {
    for (const text of Object.values(byLang ?? {}).flat()) if (text) pairs.push([text, intent]);
  };
  add(SIGNAL, examples.signal);
  add(NONE, examples.none);
  if (!definition) return pairs;
  // A step's short answers ("是", "no") say nothing about a scam away from their question.
  const told = (intent: string, byLang: Partial<Record<string, string[]>> | undefined) =>
    add(intent, {
      all: Object.values(byLang ?? {})
        .flat()
        .filter((t): t is string => !!t && isStory(t, 3)),
    });
  const alarms = alarmValues(definition.escalate?.when);
  for (const fact of interrupt.confirm.after)
    (alarms.get(fact) ?? alarms.set(fact, []).get(fact))!.push(true);
  for (const step of Object.values(definition.steps)) {
    const values = 'fact' in step && step.fact ? alarms.get(step.fact) : undefined;
    if (!values) continue;
    if (step.type === 'choice')
      for (const o of step.options) told(values.includes(o.id) ? SIGNAL : NONE, o.examples);
    else if (step.type === 'input' && step.examples) {
      if (values.includes(true)) told(SIGNAL, step.examples.yes);
      told(NONE, step.examples.no);
    }
  }
  return pairs;
}

/** The facts and values a condition names (factEquals, factIn), wherever they stand in it. */
export function alarmValues(condition: unknown): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const eq = o.factEquals as { fact: string; value: unknown } | undefined;
    const among = o.factIn as { fact: string; values: unknown[] } | undefined;
    for (const [fact, values] of [
      [eq?.fact, eq ? [eq.value] : []],
      [among?.fact, among?.values ?? []],
    ] as const)
      if (fact) out.set(fact, [...(out.get(fact) ?? []), ...values]);
    for (const [key, value] of Object.entries(o))
      if (key !== 'factEquals' && key !== 'factIn') walk(value);
  };
  walk(condition);
  return out;
}

// One model per interrupt of a loaded flow: every kit of the same flow shares it.
const trained = new WeakMap<Interrupt, Ranker>();

export interface SignalReader {
  /** How likely the message shows the signal (0–1). */
  p(text: string): number;
  /**
   * The words of the message that read most like the signal, when the whole message reads as
   * it at `threshold` or above: what the confirmation question names (「你刚才提到「…」」).
   */
  find(text: string, threshold: number): string | undefined;
}

export function createSignalReader(
  interrupt: Interrupt,
  definition: FlowDefinition,
  bank?: ModelBank,
): SignalReader | undefined {
  const pairs = signalTrainingData(interrupt, definition);
  if (!pairs) return undefined;
  const ranker = () => {
    const known = trained.get(interrupt);
    if (known) return known;
    const built = trainRanker(pairs, bank, 'signal');
    trained.set(interrupt, built);
    return built;
  };
  const p = (text: string) => ranker()(text).find((r) => r.intent === SIGNAL)?.p ?? 0;
  return {
    p,
    find(text, threshold) {
      if (p(text) < threshold) return undefined;
      return strongest(normalize(text), p);
    },
  };
}

// A clause ends at punctuation or a space (phone messages use spaces for commas).
const CLAUSE = /[\s,，。.;；!！?？、:：]+/u;
const HAN_WINDOW = 8;
const WORD_WINDOW = 5;

/** The clause (or, in a long one, the window of a few characters or words) that reads most as the signal. */
function strongest(s: string, p: (text: string) => number): string {
  const latin = !/\p{Script=Han}/u.test(s);
  const clauses = s.split(latin ? /[,，.。;；!！?？]+/u : CLAUSE).filter((c) => c.trim());
  const windows: string[] = [];
  for (const clause of clauses) {
    if (!isStory(clause, 3)) continue;
    if (latin) {
      const words = clause.split(/\s+/).filter(Boolean);
      if (words.length <= WORD_WINDOW) windows.push(words.join(' '));
      else
        for (let i = 0; i + WORD_WINDOW <= words.length; i++)
          windows.push(words.slice(i, i + WORD_WINDOW).join(' '));
      continue;
    }
    const chars = [...clause];
    if (chars.length <= HAN_WINDOW + 4) windows.push(clause);
    else
      for (let i = 0; i + HAN_WINDOW <= chars.length; i++)
        windows.push(chars.slice(i, i + HAN_WINDOW).join(''));
  }
  if (windows.length === 0) windows.push(s);
  let best = s;
  let top = -1;
  for (const w of windows) {
    const q = p(w);
    if (q > top) [best, top] = [w, q];
  }
  return best;
}

/**
 * More than a short answer: Chinese of six characters or more, or `words` words or more (a
 * message is read for the signal from four: "go back please" is no story).
 */
export function isStory(text: string, words = 4): boolean {
  const s = normalize(text);
  const han = s.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= 6 || s.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length >= words;
}
