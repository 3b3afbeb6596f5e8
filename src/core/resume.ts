import { todayIn } from '../shared/calendar.js';
import type { Session } from './session.js';
import { followHandOvers } from './turn/hand-over.js';
import type { FlowKit, FlowSet } from './turn/kit.js';
import { migrateSession } from './turn/migrate.js';
import { say, type Outcome } from './turn/turn.js';

/** A user coming back: the guide's change (if any), "welcome back", and where they were. */
export function resumed(set: FlowSet, kit: FlowKit, existing: Session, now: Date): Outcome {
  const today = todayIn(now);
  const { session, notice: changed } = migrateSession(kit, existing, now, today);
  const t = set.translators(session.lang);
  return followHandOvers(
    set,
    { session, replies: [...changed, say(t('common:resumed')), ...kit.show(session)] },
    today,
  );
}
