import { parseCommand } from '../core/commands.js';
import { createCommandReader } from '../core/classify/commands.js';
import { NONE } from '../core/classify/index.js';
import { createSignalReader, isStory } from '../core/classify/signal.js';
import { COMMAND_THRESHOLDS, SIGNAL_THRESHOLD } from '../core/classify/thresholds.js';
import { normalize, phraseFinder } from '../core/interpret/index.js';
import type { Reader } from '../core/understand.js';
import type { CompiledFlow } from '../flow/compile.js';
import { createReportTally } from './eval-tally.js';
import type { ReaderReport, Utterance } from './nlu-eval.js';

/** An intents file (intent → language → utterances) as utterances of one "step". */
export function intentUtterances(step: string, doc: unknown): Utterance[] {
  const out: Utterance[] = [];
  for (const [intent, langs] of Object.entries((doc ?? {}) as Record<string, unknown>))
    for (const [lang, texts] of Object.entries((langs ?? {}) as Record<string, unknown>))
      for (const text of Array.isArray(texts) ? texts : [])
        out.push({ step, intent, lang, text: String(text) });
  return out;
}

/**
 * `nlu-eval` on what is read at every step rather than at one (`<corpus>/intents/*.yaml`,
 * intent → language → utterances): `commands.yaml` against the commands (rules: the command
 * words; the classifier's top intent; combined: the words, else the classifier within its
 * thresholds, a reading between them shown back), and a `*signal.yaml` against the flow's
 * signal by meaning (`scam-signal.yaml`: every intent but `none` is a signal; rules: the
 * phrases; the classifier at SIGNAL_THRESHOLD; combined: either, as the chat reads it). Each
 * file is its own "step" in the report.
 */
export function evaluateIntents(
  flow: CompiledFlow,
  utterances: readonly Utterance[],
  reader: Reader,
): ReaderReport {
  const commands = createCommandReader(flow);
  const signals = (flow.definition.interrupts ?? []).flatMap((i) => {
    const meaning = createSignalReader(i, flow.definition);
    if (!meaning) return [];
    const phrases = Object.values(i.phrases).flat().map(normalize).filter(Boolean);
    return [{ meaning, find: phraseFinder(phrases, { negatable: true }) }];
  });
  const tally = createReportTally(reader);
  for (const u of utterances) {
    const { got, guess } = u.step === 'commands' ? command(u.text) : signal(u.text, u.intent);
    tally.add(u, got, guess);
  }
  return tally.report();

  function command(text: string): { got: string; guess?: string } {
    const parsed = reader === 'classifier' ? undefined : parseCommand(text);
    // A language switch is labelled with the language asked for (language-en).
    const typed =
      parsed?.type === 'language' ? `language-${parsed.lang ?? 'unknown'}` : parsed?.type;
    if (typed || reader === 'rules' || !commands) return { got: typed ?? NONE };
    const top = commands.rank(text)[0];
    if (!top) return { got: NONE };
    if (reader === 'classifier' || top.p >= COMMAND_THRESHOLDS.take) return { got: top.intent };
    return top.intent !== NONE && top.p >= COMMAND_THRESHOLDS.ask
      ? { got: NONE, guess: top.intent }
      : { got: NONE };
  }

  function signal(text: string, intent: string): { got: string; guess?: string } {
    const found = signals.some(({ meaning, find }) => {
      if (reader !== 'classifier' && find(text) !== undefined) return true;
      if (reader === 'rules') return false;
      const p = meaning.p(text);
      return reader === 'classifier' ? p >= 0.5 : isStory(text) && p >= SIGNAL_THRESHOLD;
    });
    // A signal is the intent it was labelled with (its kind of scam), whatever that is.
    return { got: found ? (intent === NONE ? 'signal' : intent) : NONE };
  }
}
