import type { Session } from '../session.js';
import type { Reply } from '../replies.js';
import type { FlowKit } from './kit.js';
import { say, withSession, type Handler } from './turn.js';

/**
 * Flow changes. Each session records its flow's content hash. If the saved step still exists
 * in a changed flow, the conversation continues. If not, the user is told the guide was
 * updated; facts whose steps still exist are kept and the flow is replayed from the start with
 * them, so only unanswered questions are asked. The message that arrived is not applied to the
 * new question (it answered the old one).
 */
export const migrate: Handler = (turn, next) => {
  if (!turn.session) return next(turn);
  const { session: migrated, notice } = migrateSession(
    turn.kit,
    turn.session,
    turn.now,
    turn.today,
  );
  const session = { ...migrated, updatedAt: turn.now.toISOString() };
  if (notice.length === 0) return next(withSession(turn, session));
  const entered = turn.kit.enter(session, turn.today);
  return { session: entered.session, replies: [...notice, ...entered.replies] };
};

export function migrateSession(
  kit: FlowKit,
  session: Session,
  now: Date,
  today: string,
): { session: Session; notice: Reply[] } {
  const { flow } = kit;
  if (session.flowHash === flow.hash && session.flowId === kit.id) return { session, notice: [] };
  if (session.flowId === kit.id && flow.step(session.stepId))
    return { session: { ...session, flowHash: flow.hash }, notice: [] };
  const kept = Object.fromEntries(
    Object.entries(session.facts).filter(([name]) => flow.factSteps.has(name)),
  );
  const fresh = kit.start(session.userId, session.lang, now, kept);
  const t = kit.translators(session.lang);
  return {
    // Replayed from the start with the kept facts: only what the new flow still needs is asked.
    session: kit.enter({ ...fresh, createdAt: session.createdAt }, today, true).session ?? fresh,
    notice: [say(t('common:flowChanged'))],
  };
}
