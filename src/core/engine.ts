import { showable } from '../shared/showable.js';
import type { CompiledFlow } from '../flow/compile.js';
import { todayIn } from '../shared/calendar.js';
import { DEFAULT_LANG, type Lang } from '../shared/types.js';
import { parseCommand } from './commands.js';
import { detectLanguage } from './language.js';
import type { Translators } from './ports.js';
import type { Reply } from './replies.js';
import type { Session } from './session.js';
import { answer } from './turn/answer.js';
import { command } from './turn/command.js';
import { commandByMeaning } from './turn/command-meaning.js';
import { confirmForget } from './turn/confirm-forget.js';
import { confirmSignal } from './turn/confirm-signal.js';
import { correction } from './turn/correction.js';
import { countTurn } from './turn/count-turn.js';
import { greet } from './turn/greet.js';
import { handoff } from './turn/handoff.js';
import type { HandoffPolicy, OperatorAction } from './handoff.js';
import { operate } from './operator.js';
import { followHandOvers, handOver } from './turn/hand-over.js';
import { interrupt } from './turn/interrupt.js';
import { createFlowSet, type FlowSet } from './turn/kit.js';
import type { ModelBank } from './classify/bank.js';
import { resumed } from './resume.js';
import { migrate } from './turn/migrate.js';
import { notice } from './turn/notice.js';
import { route } from './turn/route.js';
import { tooLong } from './turn/too-long.js';
import { compose, say, type Handler, type Inbound, type Outcome, type Turn } from './turn/turn.js';

export type { Inbound, Outcome } from './turn/turn.js';
export { detectLanguage } from './language.js';
export { MAX_INPUT_CHARS } from './turn/too-long.js';
export { MAX_FAILURES } from './turn/kit.js';

/**
 * The order of behaviours, as data: each handler answers the turn or passes it on (see
 * docs/architecture.md, "The turn pipeline"). Handlers that wrap the rest (count, hand-over)
 * come first; the answer to the current question comes last. `handoff` comes before every
 * handler that answers as the bot: while a person holds the conversation, none of them runs.
 */
export const PIPELINE: readonly Handler[] = [
  tooLong,
  countTurn,
  handOver,
  greet,
  route,
  migrate,
  commandByMeaning,
  handoff,
  confirmForget,
  confirmSignal,
  command,
  interrupt,
  notice,
  correction,
  answer,
];

export interface EngineOptions {
  /** Handoff to a person: how long a request waits and a silent conversation is held. Absent: no operator side. */
  handoff?: HandoffPolicy | undefined;
  /** Classifier models trained before (dist/flow-cache): a start trains none. */
  models?: ModelBank | undefined;
}

/** A turn's result, with the language the conversation is now in (adapters word their own hints in it). */
export type Answered = Outcome & { lang: Lang };

export interface Engine {
  handle(session: Session | undefined, inbound: Inbound, now: Date): Answered;
  /** What to show a returning user before they type (the console does this at start). */
  resume(session: Session, now: Date): Answered;
  /** A picture, voice message, sticker…: ask for words instead. The session is unchanged. */
  media(session: Session | undefined): Reply[];
  /** The one reply a flooding user gets. */
  slowDown(lang: Lang): Reply[];
  /** The reply when handling a message failed unexpectedly: please send it again. */
  sorry(lang: Lang, reason?: 'error' | 'unavailable'): Reply[];
  /** Told before the greeting when the store lost the user's conversation (red-team m25). */
  lost(lang: Lang): Reply[];
  /** Shows the session's step and walks on to the next question (a flow handed over to). */
  enter(session: Session, now: Date): Outcome;
  /**
   * An operator's action on a user's case (take, words, done) or the clock's (expire): what the
   * user is told and what the operator side hears; undefined when there is nothing to do.
   */
  operate(session: Session, action: OperatorAction, now: Date): Answered | undefined;
  /** The start flow. */
  readonly flow: CompiledFlow;
  /** Every flow, with what the handlers use of each (the authoring tools use it too). */
  readonly flows: FlowSet;
}

/**
 * The conversation step as a pure function: (session, message, now) → (session', replies),
 * composed from the handlers of PIPELINE. No I/O and no clock of its own, so every behaviour
 * is testable in-process.
 */
export function createEngine(
  /** One flow, or several: the first is the start flow unless `startId` names another. */
  loaded: CompiledFlow | readonly CompiledFlow[],
  translators: Translators,
  startId?: string,
  pipeline: readonly Handler[] = PIPELINE,
  options: EngineOptions = {},
): Engine {
  const flows = 'definition' in loaded ? [loaded] : loaded;
  const set = createFlowSet(
    flows,
    translators,
    startId ?? flows[0]?.definition.id ?? '',
    options.models,
  );
  const run = compose(pipeline);
  const kitOf = (session: Session | undefined) => (session && set.get(session.flowId)) ?? set.start;
  const answered = (outcome: Outcome, fallback: Lang): Answered => ({
    ...outcome,
    lang: outcome.session?.lang ?? fallback,
  });

  function handle(session: Session | undefined, received: Inbound, now: Date): Answered {
    // Whatever is read from the message may be quoted back, in XML too (red-team m19).
    const text = showable(received.text);
    const inbound = text === received.text ? received : { ...received, text };
    const lang = session?.lang ?? inbound.lang ?? detectLanguage(inbound.text);
    const turn: Turn = {
      session,
      inbound,
      now,
      today: todayIn(now),
      kit: kitOf(session),
      flows: set,
      lang,
      t: translators(lang),
      command: parseCommand(inbound.text),
      handoff: options.handoff,
    };
    return answered(run(turn), lang);
  }

  return {
    handle,
    resume: (existing, now) => {
      const outcome = resumed(set, kitOf(existing), existing, now);
      return answered(outcome, outcome.session?.lang ?? existing.lang);
    },
    media: (session) => [say(translators(session?.lang ?? DEFAULT_LANG)('common:media'))],
    slowDown: (lang) => [say(translators(lang)('common:slowDown'))],
    lost: (lang) => [say(translators(lang)('common:lost'))],
    sorry: (lang, reason = 'error') => [
      say(translators(lang)(reason === 'unavailable' ? 'common:unavailable' : 'common:sorry')),
    ],
    enter: (session, now) =>
      followHandOvers(set, kitOf(session).enter(session, todayIn(now)), todayIn(now)),
    operate: (session, action, now) => {
      const policy = options.handoff;
      const outcome = policy
        ? operate(kitOf(session), session, action, now, todayIn(now), policy)
        : undefined;
      return outcome && answered(outcome, session.lang);
    },
    flow: set.start.flow,
    flows: set,
  };
}
