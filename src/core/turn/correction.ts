import type { Handler } from './turn.js';

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
  const facts = { ...session.facts, ...corrected };
  const fresh = {
    ...kit.start(session.userId, session.lang, turn.now, facts),
    createdAt: session.createdAt,
  };
  const entered = kit.enter(fresh, today, true);
  const replies = kit.understood(corrected, 'corrected', session.lang);
  return { session: entered.session, replies: [...replies, ...entered.replies] };
};
