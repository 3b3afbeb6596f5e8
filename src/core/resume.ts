import { todayIn } from '../shared/calendar.js';
import type { Session } from './session.js';
import { followHandOvers } from './turn/hand-over.js';
import type { FlowKit, FlowSet } from './turn/kit.js';
import { migrateSession } from './turn/migrate.js';
import { say, type Outcome } from './turn/turn.js';

/**
 * A user coming back: the guide's change (if any), "welcome back", and where they were; while
 * a case is with a person, only that (the bot never asks its question meanwhile).
 */
export function resumed(set: FlowSet, kit: FlowKit, existing: Session, now: Date): Outcome {
  const today = todayIn(now);
  const { session, notice: changed } = migrateSession(kit, existing, now, today);
  const t = set.translators(session.lang);
  // A person is asked for or holds the conversation: the bot asks nothing, it says where things stand.
  if (session.handoff)
    return {
      session,
      replies: [...changed, say(t('common:handoff.help', { ref: session.handoff.ref }))],
    };
  return followHandOvers(
    set,
    { session, replies: [...changed, say(t('common:resumed')), ...kit.show(session)] },
    today,
  );
}
