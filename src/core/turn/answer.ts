import { advance } from '../../flow/compile.js';
import { pushHistory } from '../session.js';
import { say, type Handler } from './turn.js';

/** The message as the answer to the current step; other facts it states are kept too. */
export const answer: Handler = (turn, next) => {
  const session = turn.session;
  if (!session) return next(turn);
  const { kit, t, today } = turn;
  const text = turn.inbound.text;
  const step = kit.flow.step(session.stepId);
  if (!step || step.type === 'end') return { session, replies: [say(t('common:ended'))] };
  if (step.type === 'message') return kit.enter(session, today);
  const read = kit.understanding.answer(session.stepId, text, today);
  if (!read.ok) return kit.reject(session, read.reason, read.vars);
  // Other facts the same message states ("昨天，付了500" at the date question) are kept too.
  const fact = 'fact' in step ? step.fact : undefined;
  const known = fact ? { ...session.facts, [fact]: read.value } : session.facts;
  const stated = kit.understanding.extract(text, today, known, session.stepId);
  const withStated = { ...session, facts: { ...session.facts, ...stated } };
  const moved = advance(kit.flow, session.stepId, withStated.facts, {
    type: 'ANSWER',
    value: read.value,
    today,
  });
  if (!moved) return kit.reject(session, 'choice');
  const entered = kit.enter(
    { ...withStated, ...moved, history: pushHistory(session), failures: 0 },
    today,
  );
  return {
    ...entered,
    replies: [
      ...kit.readBack(step, read.value, session),
      ...kit.understood(stated, 'understood', session.lang),
      ...entered.replies,
    ],
  };
};
