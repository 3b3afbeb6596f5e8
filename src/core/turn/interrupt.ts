import { advance } from '../../flow/compile.js';
import { evaluate } from '../../flow/conditions.js';
import { pushHistory, type Session } from '../session.js';
import type { Fired } from './kit.js';
import { say, withSession, type Handler, type Next, type Outcome, type Turn } from './turn.js';

/**
 * A signal in free text (a scam phrase) at any step. Safety is the flow's structure (its
 * screen questions); free text only adds to it:
 * - an interrupt with `confirm` never switches the plan by itself: before the screen is
 *   answered it warns and the message is read as usual; at a screen question the answer is
 *   asked again (turn.signal); once every screen answer is "no" it asks one confirmation
 *   question that names what was noticed (turn/confirm-signal.ts reads the answer);
 * - an interrupt without `confirm` is a stop: the warning, then the same question again.
 */
export const interrupt: Handler = (turn, next) => {
  const session = turn.session;
  if (!session) return next(turn);
  const fired = turn.kit.firedInterrupt(session, turn.inbound.text);
  if (!fired) return next(turn);
  return fired.interrupt.confirm ? signal(turn, next, session, fired) : stop(turn, session, fired);
};

function signal(turn: Turn, next: Next, session: Session, fired: Fired): Outcome {
  const { kit, t } = turn;
  const { interrupt: found, phrase } = fired;
  const confirm = found.confirm;
  if (!confirm) return next(turn);
  const marked = kit.withInterruptFact(session, found);
  const dismissed = marked.dismissed?.includes(phrase) ?? false;
  // While the screen is open the signal is remembered: its "no"s then lead to the confirmation.
  const remembered =
    dismissed || marked.facts[confirm.fact] !== undefined
      ? marked
      : { ...marked, noticed: { interrupt: found.id, noticed: phrase } };
  const step = kit.flow.step(session.stepId);
  // At a screen question the answer itself is the check: a "no" with a signal is asked again.
  if (step?.type === 'input' && step.strict && confirm.after.includes(step.fact))
    return next({ ...withSession(turn, remembered), signal: phrase });
  const screen = confirm.after.map((fact) => marked.facts[fact]);
  const alarmed =
    marked.facts[confirm.fact] === true ||
    screen.some((v) => v === true || v === 'unsure') ||
    kit.flow.redirect(marked.stepId, marked.facts, turn.today) !== marked.stepId;
  // Already on the safe plan: a name is not taken from a message about a scam (it would be
  // quoted in the texts); anything else is read as usual, as is a phrase the user has said
  // was nothing, or an answer that itself takes the safe plan ("被骗了" at "what happened?").
  if (alarmed && step?.type === 'input' && step.input === 'text')
    return {
      session: marked,
      replies: [
        say(t(`${kit.id}:interrupts.${found.id}.prompt`, { noticed: phrase })),
        ...kit.show(marked),
      ],
    };
  if (alarmed || dismissed || takesAlarm(turn, marked, confirm.to))
    return next(withSession(turn, marked));
  if (screen.some((v) => v === undefined)) {
    // The screen is still to come and will ask; the warning now costs nothing.
    const outcome = next(withSession(turn, remembered));
    const warning = say(t(`${kit.id}:interrupts.${found.id}.prompt`, { noticed: phrase }));
    return { ...outcome, replies: [warning, ...outcome.replies] };
  }
  const confirming = { ...marked, confirming: { interrupt: found.id, noticed: phrase } };
  return {
    session: confirming,
    replies: [say(t(`${kit.id}:interrupts.${found.id}.confirm`, { noticed: phrase }))],
  };
}

/** Whether the message, read as the answer to the current step, leads to the alarm (or the safe plan). */
function takesAlarm(turn: Turn, session: Session, alarm: string): boolean {
  const { kit, today } = turn;
  const read = kit.understanding.answer(session.stepId, turn.inbound.text, today);
  if (!read.ok) return false;
  const moved = advance(kit.flow, session.stepId, session.facts, {
    type: 'ANSWER',
    value: read.value,
    today,
  });
  if (moved === undefined) return false;
  // The alarm itself, or the safe plan by the flow's own escalation (a deception check's "yes").
  const escalate = kit.flow.definition.escalate;
  return moved.stepId === alarm || (!!escalate && evaluate(escalate.when, moved.facts, today));
}

/** An interrupt without `confirm`: the warning first, then the same question again. */
function stop(turn: Turn, session: Session, fired: Fired): Outcome {
  const { kit, t, today } = turn;
  const marked = kit.withInterruptFact(session, fired.interrupt);
  const warning = say(
    t(`${kit.id}:interrupts.${fired.interrupt.id}.prompt`, { noticed: fired.phrase }),
  );
  const moved = answeredToo(turn, marked);
  if (moved) {
    const entered = kit.enter(
      { ...marked, ...moved, history: pushHistory(marked), failures: 0 },
      today,
    );
    return { session: entered.session, replies: [warning, ...entered.replies] };
  }
  const target = kit.flow.redirect(marked.stepId, marked.facts, today);
  if (target !== marked.stepId) {
    const entered = kit.enter(
      { ...marked, stepId: target, history: pushHistory(marked), failures: 0 },
      today,
    );
    return { session: entered.session, replies: [warning, ...entered.replies] };
  }
  const ended = kit.flow.step(marked.stepId)?.type === 'end';
  const current = ended ? [say(t('common:ended'))] : kit.show(marked);
  return { session: marked, replies: [warning, say(t('common:interrupted')), ...current] };
}

/**
 * Where an interrupting message is also a safe answer, it is taken: a clear yes at a yes/no
 * question ("是，客服让我交解冻费") or a name ("返利小助手" is what the bill shows). Amounts
 * and dates are not: "他让我再转500" does not say what was paid.
 */
function answeredToo(turn: Turn, session: Session) {
  const { kit, today } = turn;
  const step = kit.flow.step(session.stepId);
  if (step?.type !== 'input' || (step.input !== 'yesno' && step.input !== 'text')) return undefined;
  const answer = kit.understanding.answer(session.stepId, turn.inbound.text, today);
  if (!answer.ok || (step.input === 'yesno' && answer.value !== true)) return undefined;
  return advance(kit.flow, session.stepId, session.facts, {
    type: 'ANSWER',
    value: answer.value,
    today,
  });
}
