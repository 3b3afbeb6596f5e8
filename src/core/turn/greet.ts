import { ask } from './handoff.js';
import { say, withSession, type Handler } from './turn.js';

/**
 * A user with no conversation: the greeting, then the first question — after taking every
 * fact the first message states (it often tells the whole story). "forget" with no readable
 * conversation (none, or only a damaged copy) erases at once; a request for a person as the
 * first message is asked its consent question at once.
 */
export const greet: Handler = (turn, next) => {
  if (turn.session) return next(turn);
  const { kit, t, lang, inbound, today, now } = turn;
  if (turn.command?.type === 'forget')
    return { session: null, replies: [say(t('common:forget.done'))] };
  const stated = kit.understanding.extract(inbound.text, today, {});
  const fresh = kit.start(inbound.userId, lang, now, stated);
  const signal = kit.firedInterrupt(fresh, inbound.text);
  const fired = signal?.interrupt ?? kit.firedNotice(fresh, inbound.text);
  const marked = fired ? kit.withInterruptFact(fresh, fired) : fresh;
  // A signal in the opening story is remembered as at any step while the screen is open
  // (turn/interrupt.ts): once the screen's answers are all "no", its one confirmation question
  // is asked (turn/confirm-signal.ts), rather than the warning being all that is left of it.
  const confirm = signal?.interrupt.confirm;
  const session =
    signal &&
    confirm &&
    marked.facts[confirm.fact] === undefined &&
    confirm.after.some((f) => marked.facts[f] === undefined)
      ? { ...marked, noticed: { interrupt: signal.interrupt.id, noticed: signal.phrase } }
      : marked;
  const noticed = { noticed: signal?.phrase ?? '' };
  const warning = fired ? [say(t(`${kit.id}:interrupts.${fired.id}.prompt`, noticed))] : [];
  const entered = kit.enter(session, today);
  // "人工" as the very first message: the greeting, then the consent question at once.
  if (turn.command?.type === 'handoff' && entered.session) {
    const asked = ask(withSession(turn, entered.session), entered.session);
    return { session: asked.session, replies: [say(t('common:greeting')), ...asked.replies] };
  }
  return {
    session: entered.session,
    replies: [
      say(t('common:greeting')),
      ...warning,
      ...kit.understood(stated, 'understood', lang),
      ...entered.replies,
    ],
  };
};
