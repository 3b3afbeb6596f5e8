import { evaluate, factsRead } from '../../flow/conditions.js';
import type { Escalate } from '../../flow/schema.js';
import type { Facts } from '../../shared/types.js';
import { say, type Handler } from './turn.js';

/**
 * "不是500，是5000" at any step: the fact is changed, read back, and the conversation walks
 * again from the start with what is known, so every branch and deadline follows the new
 * value; the plan is shown again if the conversation had ended.
 */
export const correction: Handler = (turn, next) => {
  const session = turn.session;
  if (!session) return next(turn);
  const { kit, today } = turn;
  const corrected =
    turn.corrected ?? kit.understanding.correct(turn.inbound.text, today, session.facts);
  if (Object.keys(corrected).length === 0) return next(turn);
  const kept = keepSafePlan(kit.flow.definition.escalate, session.facts, corrected, today);
  if (Object.keys(kept).length === 0)
    return { session, replies: [say(turn.t('common:correctionKeepsSafePlan'))] };
  const facts = { ...session.facts, ...kept };
  const fresh = {
    ...kit.start(session.userId, session.lang, turn.now, facts),
    createdAt: session.createdAt,
  };
  const entered = kit.enter(fresh, today, true);
  const replies = kit.understood(kept, 'corrected', session.lang);
  return { session: entered.session, replies: [...replies, ...entered.replies] };
};

/**
 * Free text only adds to safety: a correction never takes a conversation off the scam plan
 * (「不是他 是他老婆收的钱」 after 「我被骗了」 would have made it the spouse plan). Where the
 * known facts call for the flow's `escalate` plan and the corrected ones would not, the
 * corrections to the facts that plan reads are dropped; the others still apply.
 */
function keepSafePlan(
  escalate: Escalate | undefined,
  known: Facts,
  corrected: Facts,
  today: string,
): Facts {
  if (!escalate || !evaluate(escalate.when, known, today)) return corrected;
  if (evaluate(escalate.when, { ...known, ...corrected }, today)) return corrected;
  const read = new Set(factsRead(escalate.when));
  return Object.fromEntries(Object.entries(corrected).filter(([fact]) => !read.has(fact)));
}
