import {
  advance,
  knownAnswer,
  snapshotAt,
  stepOf,
  transitionFrom,
  type CompiledFlow,
} from '../flow/compile.js';
import { evaluate } from '../flow/conditions.js';
import type { Interrupt, Step } from '../flow/schema.js';
import type { Translator, Translators } from './ports.js';
import { todayIn } from '../shared/calendar.js';
import { parseCommand, type Command } from './commands.js';
import {
  hasHan,
  normalize,
  parseYesNo,
  phraseMatcher,
  type Interpretation,
} from './interpret/index.js';
import { factVariables, formatFact, keys, masked, renderStep } from './render.js';
import type { Reply } from './replies.js';
import { pushHistory, type Session } from './session.js';
import { createUnderstanding } from './understand.js';
import { DEFAULT_LANG, type FactValue, type Facts, type Lang } from '../shared/types.js';

/** One message, in the same shape from every channel. */
export interface Inbound {
  userId: string;
  text: string;
  /** A language the adapter already knows (e.g. `--lang en`); otherwise it is detected. */
  lang?: Lang;
  /** Which channel it came from ("console", "wechat", …), for logs and per-channel rules. */
  channel?: string;
  /** The channel's own message id, where it has one: channels that retry are deduplicated by it. */
  messageId?: string;
}

export interface Outcome {
  /** null when the user's data is to be erased. */
  session: Session | null;
  replies: Reply[];
}

/** A reply of plain paragraphs. */
const say = (text: string): Reply => ({ type: 'text', text });

/** After this many unclear answers in a row, the step is shown again with a pointer to help. */
export const MAX_FAILURES = 3;
/** A flow whose message steps loop would otherwise spin forever. */
const MAX_AUTO_STEPS = 100;
/** Longer messages are refused unread: no answer is that long, and parsing 100 KB costs. */
export const MAX_INPUT_CHARS = 2000;

export interface Engine {
  handle(session: Session | undefined, inbound: Inbound, now: Date): Outcome;
  /** What to show a returning user before they type (the console does this at start). */
  resume(session: Session, now: Date): Outcome;
  /** A picture, voice message, sticker…: ask for words instead. The session is unchanged. */
  media(session: Session | undefined): Reply[];
  /** The one reply a flooding user gets. */
  slowDown(lang: Lang): Reply[];
  /** The reply when handling a message failed unexpectedly: please send it again. */
  sorry(lang: Lang, reason?: 'error' | 'unavailable'): Reply[];
  /**
   * For testing one branch: a fresh conversation at `stepId` with facts given as text, read
   * as the step that sets each fact would read it. Problems are returned, not thrown.
   */
  startAt(
    userId: string,
    lang: Lang,
    stepId: string,
    rawFacts: Record<string, string>,
    now: Date,
  ): Outcome | { error: string };
  /** Shows the session's step and walks on to the next question (a flow handed over to). */
  enter(session: Session, now: Date): Outcome;
  /** The flow this engine runs. */
  readonly flow: CompiledFlow;
}

/**
 * The conversation step as a pure function: (session, message, now) → (session', replies).
 * No I/O and no clock of its own, so every behaviour is testable in-process.
 */
export function createEngine(
  flow: CompiledFlow,
  translators: Translators,
  /** The label of a fact this flow has no word for (one carried over from another flow). */
  otherLabel: (name: string, t: Translator) => string | undefined = () => undefined,
): Engine {
  const flowId = flow.definition.id;
  const label = (name: string, t: Translator) =>
    t.exists(keys.fact(flowId, name))
      ? t(keys.fact(flowId, name))
      : (otherLabel(name, t) ?? t(keys.fact(flowId, name)));
  const understanding = createUnderstanding(flow, translators);

  function start(userId: string, lang: Lang, now: Date, facts: Facts = {}): Session {
    const stamp = now.toISOString();
    return {
      v: 1,
      userId,
      lang,
      flowId,
      flowHash: flow.hash,
      stepId: flow.definition.start,
      facts,
      history: [],
      failures: 0,
      createdAt: stamp,
      updatedAt: stamp,
    };
  }

  /** The current step's words in the session's language, with its facts filled in. */
  function show(session: Session): Reply[] {
    return renderStep(flow, session.stepId, session.facts, translators, session.lang);
  }

  /**
   * Show the step and walk through message steps until one that waits for the user. `quiet`
   * keeps only what comes after the last question skipped as already answered: a walk from
   * the start after a correction shows the plan, not the greeting again.
   */
  function enter(session: Session, today: string, quiet = false): Outcome {
    const t = translators(session.lang);
    let replies: Reply[] = [];
    let current: Session = { ...session, enteredAt: session.stepId };
    // One snapshot carried through the chain of message steps, not rebuilt for each.
    let snapshot = snapshotAt(flow, current.stepId, current.facts);
    for (let i = 0; i < MAX_AUTO_STEPS; i++) {
      const step = flow.step(current.stepId);
      // A question whose answer is already known (the safety redirect re-walks the intake) is
      // not asked again.
      const known = step ? knownAnswer(step, current.facts) : undefined;
      if (known !== undefined && step?.type !== 'message') {
        const next = transitionFrom(flow, snapshot, { type: 'ANSWER', value: known, today });
        if (next) {
          snapshot = next;
          current = { ...current, ...stepOf(next), history: pushHistory(current) };
          if (quiet) replies = [];
          continue;
        }
      }
      replies.push(...show(current));
      if (step?.type !== 'message') break;
      const next = transitionFrom(flow, snapshot, { type: 'CONTINUE', today });
      if (!next) break;
      snapshot = next;
      current = { ...current, ...stepOf(next) };
    }
    const last = flow.step(current.stepId);
    // A hand-over is not an end: the next flow goes on (flows.ts).
    if (last?.type === 'end' && !last.handover) replies.push(say(t('common:ended')));
    return { session: current, replies };
  }

  function migrate(
    session: Session,
    now: Date,
    today: string,
  ): { session: Session; notice: Reply[] } {
    if (session.flowHash === flow.hash && session.flowId === flowId) return { session, notice: [] };
    if (session.flowId === flowId && flow.step(session.stepId))
      return { session: { ...session, flowHash: flow.hash }, notice: [] };
    const kept = Object.fromEntries(
      Object.entries(session.facts).filter(([name]) => flow.factSteps.has(name)),
    );
    const fresh = start(session.userId, session.lang, now, kept);
    const t = translators(session.lang);
    return {
      // Replayed from the start with the kept facts: only what the new flow still needs is asked.
      session: enter({ ...fresh, createdAt: session.createdAt }, today, true).session ?? fresh,
      notice: [say(t('common:flowChanged'))],
    };
  }

  function handle(existing: Session | undefined, inbound: Inbound, now: Date): Outcome {
    if (tooLong(inbound.text)) {
      const lang = existing?.lang ?? inbound.lang ?? detectLanguage(inbound.text.slice(0, 200));
      return {
        session: existing ?? null,
        replies: [say(translators(lang)('common:tooLong', { max: MAX_INPUT_CHARS }))],
      };
    }
    const outcome = step(existing, inbound, now);
    return outcome.session
      ? { ...outcome, session: { ...outcome.session, turns: (existing?.turns ?? 0) + 1 } }
      : outcome;
  }

  function step(existing: Session | undefined, inbound: Inbound, now: Date): Outcome {
    const today = todayIn(now);
    if (!existing) {
      const lang = inbound.lang ?? detectLanguage(inbound.text);
      // "forget" with no readable conversation (none, or only a damaged copy): erase at once.
      if (parseCommand(inbound.text)?.type === 'forget') {
        return { session: null, replies: [say(translators(lang)('common:forget.done'))] };
      }
      // The first message often tells the whole story: every fact it states is kept.
      const stated = understanding.extract(inbound.text, today, {});
      const fresh = start(inbound.userId, lang, now, stated);
      const fired = firedInterrupt(fresh, inbound.text) ?? firedNotice(fresh, inbound.text);
      const session = fired ? withInterruptFact(fresh, fired) : fresh;
      const t = translators(lang);
      const warning = fired ? [say(t(`${flowId}:interrupts.${fired.id}.prompt`))] : [];
      const entered = enter(session, today);
      return {
        session: entered.session,
        replies: [
          say(t('common:greeting')),
          ...warning,
          ...understood(stated, 'understood', lang),
          ...entered.replies,
        ],
      };
    }
    const { session: migrated, notice } = migrate(existing, now, today);
    const session = { ...migrated, updatedAt: now.toISOString() };
    // The message answered a question that no longer exists: ask the new one instead of guessing.
    if (notice.length > 0) {
      const entered = enter(session, today);
      return { session: entered.session, replies: [...notice, ...entered.replies] };
    }
    return respond(session, inbound.text, now, today);
  }

  function respond(session: Session, text: string, now: Date, today: string): Outcome {
    const t = translators(session.lang);
    if (session.pending === 'confirm-forget') {
      if (parseYesNo(text) === true)
        return { session: null, replies: [say(t('common:forget.done'))] };
      const cleared = { ...session, pending: undefined };
      return {
        session: cleared,
        replies: [say(t('common:forget.cancelled')), ...show(cleared)],
      };
    }
    const command = parseCommand(text);
    if (command) return runCommand(command, session, now, today);
    const fired = firedInterrupt(session, text);
    if (fired) return interrupt(session, fired, text, t, today);
    return withNotice(session, text, (noticed) => read(noticed, text, now, today));
  }

  /** The message as an answer (or a correction) to the current step. */
  function read(session: Session, text: string, now: Date, today: string): Outcome {
    const t = translators(session.lang);
    const corrected = understanding.correct(text, today, session.facts);
    if (Object.keys(corrected).length > 0) return correct(session, corrected, now, today);
    const step = flow.step(session.stepId);
    if (!step || step.type === 'end') return { session, replies: [say(t('common:ended'))] };
    if (step.type === 'message') return enter(session, today);
    const answer = understanding.answer(session.stepId, text, today);
    if (!answer.ok) return reject(session, answer.reason, t, answer.vars);
    // Other facts the same message states ("昨天，付了500" at the date question) are kept too.
    const fact = 'fact' in step ? step.fact : undefined;
    const known = fact ? { ...session.facts, [fact]: answer.value } : session.facts;
    const stated = understanding.extract(text, today, known, session.stepId);
    const withStated = { ...session, facts: { ...session.facts, ...stated } };
    const next = advance(flow, session.stepId, withStated.facts, {
      type: 'ANSWER',
      value: answer.value,
      today,
    });
    if (!next) return reject(session, 'choice', t);
    const entered = enter(
      { ...withStated, ...next, history: pushHistory(session), failures: 0 },
      today,
    );
    return {
      ...entered,
      replies: [
        ...readBack(step, answer.value, t, session),
        ...understood(stated, 'understood', session.lang),
        ...entered.replies,
      ],
    };
  }

  /**
   * "不是500，是5000" at any step: the fact is changed, read back, and the conversation walks
   * again from the start with what is known, so every branch and deadline follows the new
   * value; the plan is shown again if the conversation had ended.
   */
  function correct(session: Session, corrected: Facts, now: Date, today: string): Outcome {
    const facts = { ...session.facts, ...corrected };
    const fresh = {
      ...start(session.userId, session.lang, now, facts),
      createdAt: session.createdAt,
    };
    const entered = enter(fresh, today, true);
    const replies = understood(corrected, 'corrected', session.lang);
    return { session: entered.session, replies: [...replies, ...entered.replies] };
  }

  /** One line reading back facts taken from free text, in the user's language. */
  function understood(facts: Facts, key: 'understood' | 'corrected', lang: Lang): Reply[] {
    const entries = Object.entries(facts);
    if (entries.length === 0) return [];
    const t = translators(lang);
    const { facts: shown, unmask } = masked(flow, facts);
    const lines = Object.entries(shown).map(([name, value]) =>
      t('common:summary.line', {
        label: label(name, t),
        value: formatFact(flow, name, value, t, lang),
      }),
    );
    return [say(unmask(t(`common:${key}`, { facts: lines.join('\n') })))];
  }

  /**
   * Facts with legal weight (an amount, a date) are shown back as understood, so a misread is
   * caught before a deadline or a police text uses it.
   */
  function readBack(step: Step, value: FactValue, t: Translator, session: Session): Reply[] {
    if (step.type !== 'input' || (step.input !== 'money' && step.input !== 'date')) return [];
    return [say(t('common:noted', { value: formatFact(flow, step.fact, value, t, session.lang) }))];
  }

  // Normalized once: these are checked against every message.
  const matchers = (flow.definition.interrupts ?? []).map((i) => ({
    interrupt: i,
    matches: phraseMatcher(Object.values(i.phrases).flat().map(normalize).filter(Boolean)),
  }));
  const interrupts = matchers.filter(({ interrupt }) => !interrupt.notice);
  const notices = matchers.filter(({ interrupt }) => interrupt.notice);

  function firedInterrupt(session: Session, text: string): Interrupt | undefined {
    return interrupts.find(
      ({ interrupt, matches }) => !interrupt.notAt?.includes(session.stepId) && matches(text),
    )?.interrupt;
  }

  /** A notice the message calls for and the user has not seen yet (its fact is not true). */
  function firedNotice(session: Session, text: string): Interrupt | undefined {
    return notices.find(
      ({ interrupt, matches }) =>
        (!interrupt.fact || session.facts[interrupt.fact] !== true) &&
        !interrupt.notAt?.includes(session.stepId) &&
        matches(text),
    )?.interrupt;
  }

  /** The notice's text first, then the message handled as if nothing had been noticed. */
  function withNotice(session: Session, text: string, handle: (s: Session) => Outcome): Outcome {
    const noticed = firedNotice(session, text);
    if (!noticed) return handle(session);
    const outcome = handle(withInterruptFact(session, noticed));
    const note = say(translators(session.lang)(`${flowId}:interrupts.${noticed.id}.prompt`));
    return { ...outcome, replies: [note, ...outcome.replies] };
  }

  function withInterruptFact(session: Session, fired: Interrupt): Session {
    return fired.fact ? { ...session, facts: { ...session.facts, [fired.fact]: true } } : session;
  }

  /**
   * Safety first: the warning, then the same question again, so the user can go on. Where
   * the signal turns the plan into the safe one (an end already shown, say), that plan is
   * shown instead.
   */
  function interrupt(
    session: Session,
    fired: Interrupt,
    text: string,
    t: Translator,
    today: string,
  ): Outcome {
    const next = withInterruptFact(session, fired);
    const warning = t(`${flowId}:interrupts.${fired.id}.prompt`);
    const moved = answeredToo(next, text, today);
    if (moved) {
      const entered = enter({ ...next, ...moved, history: pushHistory(next), failures: 0 }, today);
      return { session: entered.session, replies: [say(warning), ...entered.replies] };
    }
    const target = flow.redirect(next.stepId, next.facts, today);
    if (target !== next.stepId) {
      const entered = enter(
        { ...next, stepId: target, history: pushHistory(next), failures: 0 },
        today,
      );
      return { session: entered.session, replies: [say(warning), ...entered.replies] };
    }
    const ended = flow.step(next.stepId)?.type === 'end';
    const current = ended ? [say(t('common:ended'))] : show(next);
    return { session: next, replies: [say(warning), say(t('common:interrupted')), ...current] };
  }

  /**
   * Where an interrupting message is also a safe answer, it is taken: a clear yes at a yes/no
   * question ("是，客服让我交解冻费") or a name ("返利小助手" is what the bill shows). Amounts
   * and dates are not: "他让我再转500" does not say what was paid.
   */
  function answeredToo(session: Session, text: string, today: string) {
    const step = flow.step(session.stepId);
    if (step?.type !== 'input' || (step.input !== 'yesno' && step.input !== 'text'))
      return undefined;
    const answer = understanding.answer(session.stepId, text, today);
    if (!answer.ok || (step.input === 'yesno' && answer.value !== true)) return undefined;
    return advance(flow, session.stepId, session.facts, {
      type: 'ANSWER',
      value: answer.value,
      today,
    });
  }

  function reject(
    unclear: Session,
    reason: string,
    t: Translator,
    vars: Record<string, string> = {},
  ): Outcome {
    const failures = unclear.failures + 1;
    const counts = unclear.failuresByStep ?? {};
    const session = {
      ...unclear,
      failuresByStep: { ...counts, [unclear.stepId]: (counts[unclear.stepId] ?? 0) + 1 },
    };
    const step = flow.step(session.stepId);
    const count = step?.type === 'choice' ? step.options.length : 0;
    if (failures < MAX_FAILURES) {
      return {
        session: { ...session, failures },
        replies: [say(t(`common:reprompt.${reason}`, { count, ...vars }))],
      };
    }
    return {
      session: { ...session, failures: 0 },
      replies: [say(t('common:stuck')), ...show(session)],
    };
  }

  function runCommand(command: Command, session: Session, now: Date, today: string): Outcome {
    const t = translators(session.lang);
    const current = () => show(session);
    switch (command.type) {
      case 'help':
        return { session, replies: [say(t('common:help')), ...current()] };
      case 'back': {
        const previous = session.history.at(-1);
        if (!previous) return { session, replies: [say(t('common:back.none')), ...current()] };
        const back = {
          ...session,
          ...previous,
          history: session.history.slice(0, -1),
          failures: 0,
        };
        return {
          session: back,
          replies: [say(t('common:back.done')), ...show(back)],
        };
      }
      case 'restart': {
        const fresh = { ...start(session.userId, session.lang, now), createdAt: session.createdAt };
        const entered = enter(fresh, today);
        return {
          session: entered.session,
          replies: [say(t('common:restarted')), ...entered.replies],
        };
      }
      case 'language': {
        if (!command.lang) return { session, replies: [say(t('common:language.unknown'))] };
        const switched = { ...session, lang: command.lang };
        const t2 = translators(command.lang);
        return {
          session: switched,
          replies: [say(t2('common:language.switched')), ...show(switched)],
        };
      }
      case 'summary':
        return { session, replies: summary(session, t, today) };
      case 'forget':
        return {
          session: { ...session, pending: 'confirm-forget' },
          replies: [say(t('common:forget.confirm'))],
        };
    }
  }

  /** The case file: facts, the flow's extra lines (deadlines…) and, once ended, the plan. */
  function summary(session: Session, t: Translator, today: string): Reply[] {
    // Rendered over tokens for what the user typed, put back at the end (see render.ts).
    const { facts, unmask } = masked(flow, session.facts);
    const vars = factVariables(flow, facts, translators, session.lang);
    const lines = Object.entries(facts).map(([name, value]: [string, FactValue]) =>
      t('common:summary.line', {
        label: label(name, t),
        value: formatFact(flow, name, value, t, session.lang),
      }),
    );
    if (lines.length === 0) return [say(t('common:summary.empty'))];
    const extra = (flow.definition.caseFile ?? [])
      .filter((entry) => !entry.when || evaluate(entry.when, session.facts, today))
      .map((entry) => t(`${flowId}:caseFile.${entry.id}`, vars));
    const head = [
      t('common:summary.title'),
      ...lines,
      ...(extra.length > 0 ? ['', ...extra] : []),
    ].join('\n');
    const ended = flow.step(session.stepId)?.type === 'end';
    const plan = ended ? [say(t('common:summary.plan')), ...planMessages(session, today)] : [];
    return [say(unmask(head)), ...plan];
  }

  /** The messages shown since the last answer, up to and including the end step. */
  function planMessages(session: Session, today: string): Reply[] {
    const from =
      session.enteredAt && flow.step(session.enteredAt) ? session.enteredAt : session.stepId;
    const walked = enter({ ...session, stepId: from }, today);
    return walked.session?.stepId === session.stepId ? walked.replies.slice(0, -1) : show(session);
  }

  function resume(existing: Session, now: Date): Outcome {
    const { session, notice } = migrate(existing, now, todayIn(now));
    const t = translators(session.lang);
    return {
      session,
      replies: [...notice, say(t('common:resumed')), ...show(session)],
    };
  }

  function media(session: Session | undefined): Reply[] {
    return [say(translators(session?.lang ?? DEFAULT_LANG)('common:media'))];
  }

  function sorry(lang: Lang, reason: 'error' | 'unavailable' = 'error'): Reply[] {
    return [
      say(translators(lang)(reason === 'unavailable' ? 'common:unavailable' : 'common:sorry')),
    ];
  }

  function slowDown(lang: Lang): Reply[] {
    return [say(translators(lang)('common:slowDown'))];
  }

  function startAt(
    userId: string,
    lang: Lang,
    stepId: string,
    rawFacts: Record<string, string>,
    now: Date,
  ): Outcome | { error: string } {
    if (!flow.step(stepId))
      return {
        error: `unknown step "${stepId}"; steps: ${Object.keys(flow.definition.steps).join(', ')}`,
      };
    const today = todayIn(now);
    const facts: Facts = {};
    for (const [name, raw] of Object.entries(rawFacts)) {
      const setter = flow.factSteps.get(name);
      const step = setter ? flow.step(setter) : undefined;
      if (!setter || !step)
        return { error: `unknown fact "${name}"; facts: ${[...flow.factSteps.keys()].join(', ')}` };
      const read =
        step.type === 'input'
          ? understanding.answer(setter, raw, today)
          : step.type === 'choice'
            ? readOption(step.options, raw)
            : readFlag(raw);
      if (!read.ok)
        return { error: `--fact ${name}=${raw}: not a valid value for step "${setter}"` };
      facts[name] = read.value;
    }
    return enter({ ...start(userId, lang, now), stepId, facts }, today);
  }

  /** Interrupt facts are yes/no flags. */
  function readFlag(raw: string): Interpretation {
    const value = parseYesNo(raw);
    return value === undefined ? { ok: false, reason: 'yesno' } : { ok: true, value };
  }

  function readOption(options: readonly { id: string }[], raw: string): Interpretation {
    return options.some((o) => o.id === raw)
      ? { ok: true, value: raw }
      : { ok: false, reason: 'choice' };
  }

  return {
    handle,
    resume,
    media,
    slowDown,
    sorry,
    startAt,
    enter: (session, now) => enter(session, todayIn(now)),
    flow,
  };
}

/**
 * Over MAX_INPUT_CHARS characters as people count them (code points: an emoji is one, not the
 * two UTF-16 units `length` counts; red-team m17). Counted only when it could matter.
 */
function tooLong(text: string): boolean {
  if (text.length <= MAX_INPUT_CHARS) return false;
  if (text.length > 2 * MAX_INPUT_CHARS) return true;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    // A high surrogate starts a two-unit character: count it once.
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) i++;
    if (++count > MAX_INPUT_CHARS) return true;
  }
  return false;
}

/** Han characters → Chinese; Latin letters → English; anything else (digits, emoji) → the default. */
export function detectLanguage(text: string): Lang {
  if (hasHan(text)) return 'zh-CN';
  if (/\p{Script=Latin}/u.test(text)) return 'en';
  return DEFAULT_LANG;
}
