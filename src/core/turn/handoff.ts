import { evaluate } from '../../flow/conditions.js';
import { caseFile } from '../case-file.js';
import { caseRef, expired, type Handoff, type HandoffEndReason } from '../handoff.js';
import { parseYesNo } from '../interpret/index.js';
import type { Reply } from '../replies.js';
import type { Session } from '../session.js';
import type { FlowKit } from './kit.js';
import { say, withSession, type Handler, type Outcome, type Turn } from './turn.js';

/**
 * Handoff to a person (core/handoff.ts has the state). While a person is asked for or holds
 * the conversation the bot does not answer: the user's words go to the operator side as an
 * event, and only `forget`, `summary`, `help` and the way back (结束人工 / "back to the bot")
 * are the bot's. In the bot's hands: "人工" asks consent with the summary the volunteer would
 * see; the third unclear answer and a flow end marked `handoff: offer` say a person can help.
 * Safety stays first: a request while a scam alarm holds starts with 110, and a scam phrase
 * while nobody has taken the case still gets the warning.
 */
export const handoff: Handler = (turn, next) => {
  const session = turn.session;
  if (!session) return next(turn);
  if (session.handoff) return held(turn, session, session.handoff);
  if (session.pending === 'confirm-handoff') return consent(turn, session, next);
  if (turn.command?.type === 'handoff') return ask(turn, session);
  if (turn.command?.type === 'endHandoff')
    return {
      session,
      replies: [say(turn.t('common:handoff.notHeld')), ...current(turn.kit, session)],
    };
  return offered(turn, session, next(turn));
};

/** The user's message while waiting for a person or talking to one. */
function held(turn: Turn, session: Session, handoff: Handoff): Outcome {
  const { t, kit, now, today } = turn;
  // No operator side any more (the channel was restarted without one), or nobody came in time.
  if (!turn.handoff) return backToBot(kit, session, 'timeout', today);
  if (expired(handoff, turn.handoff, now))
    return backToBot(kit, session, handoff.state === 'waiting' ? 'timeout' : 'silence', today);
  if (session.pending === 'confirm-forget') {
    if (parseYesNo(turn.inbound.text) === true)
      return {
        session: null,
        replies: [say(t('common:forget.done'))],
        handoff: [{ type: 'ended', ref: handoff.ref, reason: 'forget' }],
      };
    return {
      session: { ...session, pending: undefined },
      replies: [say(t('common:forget.cancelled'))],
    };
  }
  switch (turn.command?.type) {
    case 'forget':
      return {
        session: { ...session, pending: 'confirm-forget' },
        replies: [say(t('common:forget.confirm'))],
      };
    case 'summary':
      return { session, replies: caseFile(kit, session, today) };
    case 'help':
      return { session, replies: [say(t('common:handoff.help', { ref: handoff.ref }))] };
    case 'endHandoff':
      return backToBot(kit, session, 'user', today);
    default:
      return relay(turn, session, handoff);
  }
}

/** The words go to the person; a scam phrase is flagged to them, and warned of while nobody is there. */
function relay(turn: Turn, session: Session, handoff: Handoff): Outcome {
  const { kit, t } = turn;
  const fired = kit.firedInterrupt(session, turn.inbound.text);
  const marked = fired ? kit.withInterruptFact(session, fired.interrupt) : session;
  const kept = { ...marked, handoff: { ...handoff, lastAt: turn.now.toISOString() } };
  const warning =
    fired && handoff.state === 'waiting'
      ? [say(t(`${kit.id}:interrupts.${fired.interrupt.id}.prompt`, { noticed: fired.phrase }))]
      : [];
  return {
    session: kept,
    replies: warning,
    handoff: [
      {
        type: 'user-message',
        ref: handoff.ref,
        text: turn.inbound.text,
        ...(fired ? { alarm: fired.phrase } : {}),
      },
    ],
  };
}

/** "人工": what a volunteer would see, and a yes asked for before anything is shared. */
export function ask(turn: Turn, session: Session): Outcome {
  const { t, kit, today } = turn;
  const safety = alarmed(turn, session) ? [say(t('common:handoff.safetyFirst'))] : [];
  if (!turn.handoff)
    return {
      session,
      replies: [...safety, say(t('common:handoff.unavailable')), ...current(kit, session)],
    };
  return {
    session: { ...session, pending: 'confirm-handoff' },
    replies: [
      ...safety,
      say(t('common:handoff.consent')),
      ...caseFile(kit, session, today),
      say(t('common:handoff.consentAsk')),
    ],
  };
}

/** The answer to "share this with a volunteer?": only a clear yes shares; a command is run. */
function consent(turn: Turn, session: Session, next: (turn: Turn) => Outcome): Outcome {
  const { t, kit, now, today } = turn;
  const cleared: Session = { ...session, pending: undefined };
  if (turn.command && turn.command.type !== 'handoff') return next(withSession(turn, cleared));
  if (!turn.handoff || parseYesNo(turn.inbound.text) !== true)
    return {
      session: cleared,
      replies: [say(t('common:handoff.declined')), ...current(kit, cleared)],
    };
  const stamp = now.toISOString();
  const ref = caseRef(session.userId, now);
  const waiting: Session = {
    ...cleared,
    handoff: { state: 'waiting', since: stamp, ref, lastAt: stamp },
  };
  return {
    session: waiting,
    replies: [say(t('common:handoff.waiting', { ref, minutes: turn.handoff.waitMinutes }))],
    handoff: [{ type: 'requested', ref, summary: caseFile(kit, session, today) }],
  };
}

/** A person offered where the bot cannot settle it: stuck at a step, or an end that needs judgement. */
function offered(turn: Turn, before: Session, outcome: Outcome): Outcome {
  const { offer, ...rest } = outcome;
  const after = rest.session;
  if (!turn.handoff || !after || after.handoff) return rest;
  const step = turn.kit.flow.step(after.stepId);
  const arrived =
    step?.type === 'end' && step.handoff === 'offer' && before.stepId !== after.stepId;
  if (!offer && !arrived) return rest;
  return { ...rest, replies: [...rest.replies, say(turn.t('common:handoff.offer'))] };
}

/** A scam alarm holds, or a signal's question is still open: 110 is said before anything else. */
function alarmed(turn: Turn, session: Session): boolean {
  if (session.confirming || session.noticed) return true;
  const escalate = turn.kit.flow.definition.escalate;
  return escalate !== undefined && evaluate(escalate.when, session.facts, turn.today);
}

/** The current question, or at an end the "that was your plan" line (not the whole plan again). */
function current(kit: FlowKit, session: Session): Reply[] {
  return kit.flow.step(session.stepId)?.type === 'end'
    ? [say(kit.translators(session.lang)('common:ended'))]
    : kit.show(session);
}

/**
 * Back to the bot, said to the user with why; after a request nobody took, also 12348 and
 * the case so far. Then the question the conversation stood at.
 */
export function backToBot(
  kit: FlowKit,
  session: Session,
  reason: Exclude<HandoffEndReason, 'forget'>,
  today: string,
): Outcome {
  const { handoff, ...rest } = session;
  const back: Session = { ...rest, pending: undefined };
  const t = kit.translators(session.lang);
  const told = [say(t(`common:handoff.ended.${reason}`))];
  const soFar = reason === 'timeout' ? caseFile(kit, back, today) : [];
  return {
    session: back,
    replies: [...told, ...soFar, ...current(kit, back)],
    handoff: handoff ? [{ type: 'ended', ref: handoff.ref, reason }] : [],
  };
}
