import { caseFile } from '../case-file.js';
import type { Command } from '../commands.js';
import type { Session } from '../session.js';
import { say, type Handler, type Outcome, type Turn } from './turn.js';

/** Commands work at any step, in either language (parsed once into `turn.command`). */
export const command: Handler = (turn, next) => {
  const { command: parsed, session } = turn;
  if (!parsed || !session) return next(turn);
  return run(parsed, turn, session);
};

function run(command: Command, turn: Turn, session: Session): Outcome {
  const { t, kit, today } = turn;
  const current = () => kit.show(session);
  switch (command.type) {
    case 'help':
      return { session, replies: [say(t('common:help')), ...current()] };
    case 'back': {
      const previous = session.history.at(-1);
      if (!previous) return { session, replies: [say(t('common:back.none')), ...current()] };
      const back = {
        ...session,
        ...previous,
        history: session.history.slice(0, -1),
        failures: 0,
        confirming: undefined,
      };
      return { session: back, replies: [say(t('common:back.done')), ...kit.show(back)] };
    }
    case 'restart': {
      const fresh = {
        ...kit.start(session.userId, session.lang, turn.now),
        createdAt: session.createdAt,
      };
      const entered = kit.enter(fresh, today);
      return {
        session: entered.session,
        replies: [say(t('common:restarted')), ...entered.replies],
      };
    }
    case 'language': {
      if (!command.lang) return { session, replies: [say(t('common:language.unknown'))] };
      const switched = { ...session, lang: command.lang };
      const words = kit.translators(command.lang);
      return {
        session: switched,
        replies: [say(words('common:language.switched')), ...kit.show(switched)],
      };
    }
    case 'summary':
      return { session, replies: caseFile(kit, session, today) };
    case 'handoff':
    case 'endHandoff':
      // Answered by turn/handoff.ts, which comes first; here only if a pipeline leaves it out.
      return { session, replies: current() };
    case 'forget':
      return {
        session: { ...session, pending: 'confirm-forget' },
        replies: [say(t('common:forget.confirm'))],
      };
  }
}
