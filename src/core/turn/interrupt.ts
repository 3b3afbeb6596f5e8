import { advance } from '../../flow/compile.js';
import { pushHistory, type Session } from '../session.js';
import { say, type Handler, type Turn } from './turn.js';

/**
 * Safety first: a message that fires an interrupt (a scam phrase) gets the warning, then the
 * same question again, so the user can go on. Where the signal turns the plan into the safe
 * one (an end already shown, say), that plan is shown instead.
 */
export const interrupt: Handler = (turn, next) => {
  const session = turn.session;
  if (!session) return next(turn);
  const { kit, t, today } = turn;
  const fired = kit.firedInterrupt(session, turn.inbound.text);
  if (!fired) return next(turn);
  const marked = kit.withInterruptFact(session, fired);
  const warning = say(t(`${kit.id}:interrupts.${fired.id}.prompt`));
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
};

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
