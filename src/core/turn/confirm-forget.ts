import { parseYesNo } from '../interpret/index.js';
import { say, type Handler } from './turn.js';

/** After "forget", a clear yes erases everything; anything else cancels and goes on. */
export const confirmForget: Handler = (turn, next) => {
  const session = turn.session;
  if (session?.pending !== 'confirm-forget') return next(turn);
  const { t, kit } = turn;
  if (parseYesNo(turn.inbound.text) === true)
    return { session: null, replies: [say(t('common:forget.done'))] };
  const cleared = { ...session, pending: undefined };
  return { session: cleared, replies: [say(t('common:forget.cancelled')), ...kit.show(cleared)] };
};
