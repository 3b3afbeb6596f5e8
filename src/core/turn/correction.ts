import { evaluate, factsRead } from '../../flow/conditions.js';
import type { Escalate } from '../../flow/schema.js';
import type { Reply } from '../replies.js';
import type { Session } from '../session.js';
import type { Facts } from '../../shared/types.js';
import { say, type Handler, type Outcome, type Turn } from './turn.js';

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
  if (Object.keys(corrected).length === 0) return askAgain(turn, next);
  const kept = keepSafePlan(kit.flow.definition.escalate, session.facts, corrected, today);
  if (Object.keys(kept).length === 0)
    return { session, replies: [say(turn.t('common:correctionKeepsSafePlan'))] };
  const facts = { ...session.facts, ...kept };
  const replies = kit.understood(kept, 'corrected', session.lang);
  return walkAgain(turn, facts, replies);
};

/**
 * 「金额不对」 or "the name is wrong" without the new value: the fact is forgotten and the
 * walk from the start asks it again — never kept as it was, never read as the answer to the
 * question asked (「金额不对」 at the name question is no name). A message that answers the
 * choice asked is that answer (「金额不对」 at 「发生了什么」 is the wrong amount).
 */
const askAgain: Handler = (turn, next) => {
  const session = turn.session;
  if (!session) return next(turn);
  const { kit, today } = turn;
  const facts = kit.understanding.reask(turn.inbound.text, today, session.facts);
  if (facts.length === 0) return next(turn);
  const asked = kit.flow.step(session.stepId);
  if (
    asked?.type === 'choice' &&
    kit.understanding.answer(session.stepId, turn.inbound.text, today).ok
  )
    return next(turn);
  // Forgetting a fact the scam plan reads would take the conversation off it.
  const forgotten = Object.fromEntries(facts.map((f) => [f, session.facts[f] ?? '']));
  if (
    Object.keys(keepSafePlan(kit.flow.definition.escalate, session.facts, forgotten, today, true))
      .length === 0
  )
    return { session, replies: [say(turn.t('common:correctionKeepsSafePlan'))] };
  const rest = Object.fromEntries(
    Object.entries(session.facts).filter(([f]) => !facts.includes(f)),
  );
  const labels = facts.map((f) => kit.label(f, turn.t));
  return walkAgain(turn, rest, [say(turn.t('common:correctionAskAgain', { fact: labels[0] }))]);
};

/** The conversation walks again from the start with `facts`, so every branch follows them. */
function walkAgain(turn: Turn, facts: Facts, replies: Reply[]): Outcome {
  const session = turn.session as Session;
  const { kit, today } = turn;
  const fresh = {
    ...kit.start(session.userId, session.lang, turn.now, facts),
    createdAt: session.createdAt,
  };
  const entered = kit.enter(fresh, today, true);
  return { session: entered.session, replies: [...replies, ...entered.replies] };
}

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
  /** The facts are forgotten rather than changed. */
  forget = false,
): Facts {
  if (!escalate || !evaluate(escalate.when, known, today)) return corrected;
  const after = forget
    ? Object.fromEntries(Object.entries(known).filter(([f]) => !(f in corrected)))
    : { ...known, ...corrected };
  if (evaluate(escalate.when, after, today)) return corrected;
  const read = new Set(factsRead(escalate.when));
  return Object.fromEntries(Object.entries(corrected).filter(([fact]) => !read.has(fact)));
}
