import { say, withSession, type Handler } from './turn.js';

/**
 * A notice (information, not a stop): its text first, shown once, then the message handled
 * as if nothing had been noticed.
 */
export const notice: Handler = (turn, next) => {
  const session = turn.session;
  if (!session) return next(turn);
  const { kit, t } = turn;
  const noticed = kit.firedNotice(session, turn.inbound.text);
  if (!noticed) return next(turn);
  const outcome = next(withSession(turn, kit.withInterruptFact(session, noticed)));
  const note = say(t(`${kit.id}:interrupts.${noticed.id}.prompt`));
  return { ...outcome, replies: [note, ...outcome.replies] };
};
