import { advance } from '../../flow/compile.js';
import { contradiction } from '../../flow/constraints.js';
import type { Step } from '../../flow/schema.js';
import type { FactValue } from '../../shared/types.js';
import type { Interpretation } from '../interpret/index.js';
import { formatFact } from '../render.js';
import { pushHistory, type Session } from '../session.js';
import { MAX_FAILURES } from './kit.js';
import { say, type Handler, type Outcome, type Turn } from './turn.js';

/** The message as the answer to the current step; other facts it states are kept too. */
export const answer: Handler = (turn, next) => {
  const session = turn.session;
  if (!session) return next(turn);
  const { kit, t, today } = turn;
  const text = turn.inbound.text;
  const step = kit.flow.step(session.stepId);
  if (!step || step.type === 'end') return { session, replies: [say(t('common:ended'))] };
  if (step.type === 'message') return kit.enter(session, today);
  const read = checked(turn, session, step, kit.understanding.answer(session.stepId, text, today));
  const doubt = !read.ok && isStrict(step) && session.failures + 1 >= MAX_FAILURES;
  // A safety question that stays unclear is taken as "not sure" (the safer plan), and said so.
  if (doubt) return take(turn, session, step, 'unsure', [say(t('common:signalInDoubt'))]);
  if (!read.ok) return kit.reject(session, read.reason, read.vars);
  return take(turn, session, step, read.value, [], read.meaning === true);
};

function isStrict(step: Step): boolean {
  return step.type === 'input' && step.input === 'yesno' && step.strict === true;
}

/** A scam phrase in an answer to a safety question, or an answer that contradicts a known fact. */
function checked(turn: Turn, session: Session, step: Step, read: Interpretation): Interpretation {
  // A scam phrase in a "no" (or an unclear answer) to a safety question: asked again; a yes
  // that names it is just a yes.
  if (turn.signal !== undefined && isStrict(step) && !(read.ok && read.value === true)) {
    // The classifier's "yes" or "not sure" is still shown back, with what was noticed.
    if (!read.ok && read.reason === 'guessYesNo')
      return {
        ok: false,
        reason: 'guessYesNoSignal',
        vars: { ...read.vars, noticed: turn.signal },
      };
    return { ok: false, reason: 'yesnoSignal', vars: { noticed: turn.signal } };
  }
  if (!read.ok) return read;
  const contradicted = contradiction(step, read.value, session.facts);
  if (!contradicted) return read;
  const { kit, lang } = turn;
  const other = session.facts[contradicted.fact];
  const value =
    other === undefined ? '' : formatFact(kit.flow, contradicted.fact, other, turn.t, lang);
  return { ok: false, reason: contradicted.reason, vars: { value } };
}

function take(
  turn: Turn,
  session: Session,
  step: Step,
  value: FactValue,
  before: Outcome['replies'],
  byMeaning = false,
): Outcome {
  const { kit, today } = turn;
  const text = turn.inbound.text;
  // Other facts the same message states ("昨天，付了500" at the date question) are kept too.
  const fact = 'fact' in step ? step.fact : undefined;
  const known = fact ? { ...session.facts, [fact]: value } : session.facts;
  const stated = kit.understanding.extract(text, today, known, session.stepId);
  const withStated = { ...session, facts: { ...session.facts, ...stated } };
  const moved = advance(kit.flow, session.stepId, withStated.facts, {
    type: 'ANSWER',
    value,
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
      ...before,
      ...kit.readBack(step, value, session, byMeaning),
      ...kit.understood(stated, 'understood', session.lang),
      ...entered.replies,
    ],
  };
}
