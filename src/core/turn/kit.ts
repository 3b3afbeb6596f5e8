import { advance, knownAnswer, type CompiledFlow } from '../../flow/compile.js';
import type { Interrupt, Step } from '../../flow/schema.js';
import { normalize, phraseFinder } from '../interpret/index.js';
import type { Translator, Translators } from '../ports.js';
import { formatFact, keys, masked, renderStep } from '../render.js';
import type { Reply } from '../replies.js';
import { pushHistory, type Session } from '../session.js';
import { createUnderstanding, type Understanding } from '../understand.js';
import type { FactValue, Facts, Lang } from '../../shared/types.js';
import { say, type Outcome } from './turn.js';
import type { ModelBank } from '../classify/bank.js';
import { createCommandReader, type CommandReader } from '../classify/commands.js';
import { createSignalReader, isStory, type SignalReader } from '../classify/signal.js';
import { SIGNAL_THRESHOLD } from '../classify/thresholds.js';

/** A flow whose message steps loop would otherwise spin forever. */
const MAX_AUTO_STEPS = 100;

/** After this many unclear answers in a row, the step is shown again with a pointer to help. */
export const MAX_FAILURES = 3;

interface Matcher {
  interrupt: Interrupt;
  find: (text: string) => string | undefined;
  /** The signal by meaning, where no phrase is found (an interrupt with `confirm` and examples). */
  meaning?: SignalReader | undefined;
}

/** An interrupt a message fired, and the phrase of the flow's that it was noticed by. */
export interface Fired {
  interrupt: Interrupt;
  phrase: string;
}

/**
 * What the handlers need of one flow, built once per flow: its understanding, its interrupt
 * matchers, and the walk from a step to the next question.
 */
export class FlowKit {
  readonly id: string;
  readonly understanding: Understanding;
  readonly #stops: Matcher[];
  /** Commands said in a sentence (「我想跟真人聊聊」), where the message is not an answer. */
  readonly commands: CommandReader | undefined;
  readonly #notices: Matcher[];

  constructor(
    readonly flow: CompiledFlow,
    readonly translators: Translators,
    /** The label of a fact this flow has no word for (one carried over from another flow). */
    private readonly otherLabel: (name: string, t: Translator) => string | undefined = () =>
      undefined,
    /** Models trained before (dist/flow-cache): none is trained again. */
    bank?: ModelBank,
  ) {
    this.id = flow.definition.id;
    this.understanding = createUnderstanding(flow, translators, bank ? { bank } : {});
    this.commands = createCommandReader(flow, bank);
    // Normalized once: these are checked against every message.
    const matchers = (flow.definition.interrupts ?? []).map((i) => ({
      interrupt: i,
      // A signal that asks to confirm is read with its negation; a stop fires on the words.
      find: phraseFinder(Object.values(i.phrases).flat().map(normalize).filter(Boolean), {
        negatable: Boolean(i.confirm),
      }),
      meaning: createSignalReader(i, flow.definition, bank),
    }));
    this.#stops = matchers.filter(({ interrupt }) => !interrupt.notice);
    this.#notices = matchers.filter(({ interrupt }) => interrupt.notice);
  }

  /** A fresh conversation at the start step. */
  start(userId: string, lang: Lang, now: Date, facts: Facts = {}): Session {
    const stamp = now.toISOString();
    return {
      v: 1,
      userId,
      lang,
      flowId: this.id,
      flowHash: this.flow.hash,
      stepId: this.flow.definition.start,
      facts,
      history: [],
      failures: 0,
      createdAt: stamp,
      updatedAt: stamp,
    };
  }

  /** The current step's words, with the session's facts filled in. */
  show(session: Session): Reply[] {
    return renderStep(this.flow, session.stepId, session.facts, this.translators, session.lang);
  }

  /**
   * Shows the step and walks through message steps (and questions already answered) until
   * one that waits for the user. `quiet` keeps only what comes after the last question
   * skipped: a walk from the start after a correction shows the plan, not the greeting again.
   */
  enter(session: Session, today: string, quiet = false): Outcome {
    const { flow } = this;
    let replies: Reply[] = [];
    // One copy, changed as the walk goes: a plan walks through several message steps, and a
    // copy of the whole session at each was a measurable part of a message's cost. Nothing
    // keeps the copy before it is returned (show reads its step and facts; history, its values).
    const current: Session = { ...session, enteredAt: session.stepId };
    for (let i = 0; i < MAX_AUTO_STEPS; i++) {
      const step = flow.step(current.stepId);
      // A question whose answer is already known (the safety redirect re-walks the intake) is
      // not asked again.
      const known = step ? knownAnswer(step, current.facts) : undefined;
      if (known !== undefined && step?.type !== 'message') {
        const next = advance(flow, current.stepId, current.facts, {
          type: 'ANSWER',
          value: known,
          today,
        });
        if (next) {
          current.history = pushHistory(current);
          current.stepId = next.stepId;
          current.facts = next.facts;
          if (quiet) replies = [];
          continue;
        }
      }
      if (step?.type === 'message' && step.once) {
        // A warning several routes lead to is said once per conversation.
        const seen = current.shown ?? [];
        if (!seen.includes(current.stepId)) {
          replies.push(...this.show(current));
          current.shown = [...seen, current.stepId];
        }
      } else replies.push(...this.show(current));
      if (step?.type !== 'message') break;
      const next = advance(flow, current.stepId, current.facts, { type: 'CONTINUE', today });
      if (!next) break;
      current.stepId = next.stepId;
      current.facts = next.facts;
    }
    const last = flow.step(current.stepId);
    // A hand-over is not an end: the next flow goes on (turn/hand-over.ts).
    if (last?.type === 'end' && !last.handover)
      replies.push(say(this.translators(session.lang)('common:ended')));
    return { session: current, replies };
  }

  /** A fact's label in the user's language (a fact another flow asked has its words there). */
  label(name: string, t: Translator): string {
    const key = keys.fact(this.id, name);
    return t.exists(key) ? t(key) : (this.otherLabel(name, t) ?? t(key));
  }

  /** One reply reading back facts taken from free text (`understood`) or changed (`corrected`). */
  understood(facts: Facts, key: 'understood' | 'corrected', lang: Lang): Reply[] {
    if (Object.keys(facts).length === 0) return [];
    const t = this.translators(lang);
    const { facts: shown, unmask } = masked(this.flow, facts);
    const lines = Object.entries(shown).map(([name, value]) =>
      t('common:summary.line', {
        label: this.label(name, t),
        value: formatFact(this.flow, name, value, t, lang),
      }),
    );
    return [say(unmask(t(`common:${key}`, { facts: lines.join('\n') })))];
  }

  /**
   * Facts with legal weight (an amount, a date) answered directly are read back at once, and
   * so is any answer the classifier read (`byMeaning`): never a silent guess.
   */
  readBack(step: Step, value: FactValue, session: Session, byMeaning = false): Reply[] {
    const t = this.translators(session.lang);
    const fact = 'fact' in step ? step.fact : undefined;
    if (byMeaning && fact) {
      const label = this.label(fact, t);
      const shown = formatFact(this.flow, fact, value, t, session.lang);
      return [say(t('common:notedMeaning', { label, value: shown }))];
    }
    if (step.type !== 'input' || (step.input !== 'money' && step.input !== 'date')) return [];
    const shown = formatFact(this.flow, step.fact, value, t, session.lang);
    return [say(t('common:noted', { value: shown }))];
  }

  /** An unclear answer: asked again with its reason, or after MAX_FAILURES, the step again. */
  reject(unclear: Session, reason: string, vars: Record<string, string> = {}): Outcome {
    const t = this.translators(unclear.lang);
    const failures = unclear.failures + 1;
    const counts = unclear.failuresByStep ?? {};
    const session = {
      ...unclear,
      failuresByStep: { ...counts, [unclear.stepId]: (counts[unclear.stepId] ?? 0) + 1 },
    };
    const step = this.flow.step(session.stepId);
    const count = step?.type === 'choice' ? step.options.length : 0;
    if (failures < MAX_FAILURES) {
      return {
        session: { ...session, failures },
        // A guess names an option or an answer by its key, worded in the user's language.
        replies: [
          say(
            t(`common:reprompt.${reason}`, {
              count,
              ...vars,
              ...(vars.optionKey ? { option: t(vars.optionKey) } : {}),
            }),
          ),
        ],
      };
    }
    return {
      session: { ...session, failures: 0 },
      replies: [say(t('common:stuck')), ...this.show(session)],
      offer: true,
    };
  }

  /** The interrupt (a stop, not a notice) this message fires at the session's step. */
  firedInterrupt(session: Session, text: string): Fired | undefined {
    for (const { interrupt, find, meaning } of this.#stops) {
      if (interrupt.notAt?.includes(session.stepId)) continue;
      const phrase = find(text);
      if (phrase !== undefined) return { interrupt, phrase };
      const noticed = meaning && this.#byMeaning(interrupt, meaning, session, text);
      if (noticed !== undefined) return { interrupt, phrase: noticed };
    }
    return undefined;
  }

  /**
   * The signal read by meaning: only in a sentence (a short answer is an answer), only until
   * it has been noticed once, and never after the user has answered its confirmation (a
   * false alarm costs one question, never two).
   */
  #byMeaning(
    interrupt: Interrupt,
    meaning: SignalReader,
    session: Session,
    text: string,
  ): string | undefined {
    const { confirm } = interrupt;
    if (!confirm || session.facts[confirm.fact] !== undefined) return undefined;
    if (interrupt.fact && session.facts[interrupt.fact] === true) return undefined;
    if (!isStory(text)) return undefined;
    return meaning.find(text, SIGNAL_THRESHOLD);
  }

  /** A notice the message calls for and the user has not seen yet (its fact is not true). */
  firedNotice(session: Session, text: string): Interrupt | undefined {
    return this.#notices.find(
      ({ interrupt, find }) =>
        (!interrupt.fact || session.facts[interrupt.fact] !== true) &&
        !interrupt.notAt?.includes(session.stepId) &&
        find(text) !== undefined,
    )?.interrupt;
  }

  /** The session with the interrupt's fact set. */
  withInterruptFact(session: Session, fired: Interrupt): Session {
    return fired.fact ? { ...session, facts: { ...session.facts, [fired.fact]: true } } : session;
  }
}

/** Every flow loaded, each with its kit, and the one a new conversation starts in. */
export interface FlowSet {
  readonly start: FlowKit;
  readonly size: number;
  get(id: string): FlowKit | undefined;
  all(): Iterable<FlowKit>;
  readonly translators: Translators;
}

export function createFlowSet(
  flows: readonly CompiledFlow[],
  translators: Translators,
  startId: string,
  bank?: ModelBank,
): FlowSet {
  // A fact carried over by a hand-over is labelled with the words of the flow that asked it.
  const otherLabel = (name: string, t: Translator) => {
    const owner = flows.find((f) => f.factSteps.has(name));
    return owner ? t(keys.fact(owner.definition.id, name)) : undefined;
  };
  const kits = new Map(
    flows.map((f) => [f.definition.id, new FlowKit(f, translators, otherLabel, bank)]),
  );
  const start = kits.get(startId);
  if (!start) throw new Error(`no flow with id "${startId}"`);
  return {
    start,
    size: kits.size,
    get: (id) => kits.get(id),
    all: () => kits.values(),
    translators,
  };
}
