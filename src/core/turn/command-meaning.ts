import type { Command } from '../commands.js';
import { NONE } from '../classify/index.js';
import { normalize } from '../interpret/normalize.js';
import { COMMAND_THRESHOLDS } from '../classify/thresholds.js';
import { say, type Handler } from './turn.js';

/**
 * A command said in a sentence (「能不能回到上一个问题」, "I'd rather talk to a person"),
 * read by the flow's command classifier (classify/commands.ts) where no command word was
 * typed. Never instead of an answer: a message the current question understands is its
 * answer, a message that raises a signal is left to the interrupt, and a person holding the
 * conversation gets the user's words. At `take` the command runs as if typed (「forget」 still
 * asks its own confirmation), except one that loses answers (start over, back), which is
 * always shown back; between `ask` and `take` the reading is shown back with the command's
 * word to send, so nothing runs on a guess and no state is kept.
 */
export const commandByMeaning: Handler = (turn, next) => {
  const { session, kit, t, today } = turn;
  const text = turn.inbound.text;
  if (turn.command || !session || session.pending || session.confirming || !kit.commands)
    return next(turn);
  if (!isPhrase(normalize(text))) return next(turn);
  const top = kit.commands.rank(text)[0];
  if (!top || top.intent === NONE || top.p < COMMAND_THRESHOLDS.ask) return next(turn);
  const sure = top.p >= COMMAND_THRESHOLDS.take;
  // Waiting for a person: only "never mind the person" is read, and only when sure.
  if (session.handoff)
    return sure && top.intent === 'endHandoff' && session.handoff.state === 'waiting'
      ? next({ ...turn, command: { type: 'endHandoff' } })
      : next(turn);
  // Back to the bot from no person at all means nothing (and is "no bot!" misread as often).
  if (top.intent === 'endHandoff' || kit.firedInterrupt(session, text)) return next(turn);
  const read = kit.understanding.answer(session.stepId, text, today);
  if (read.ok || (!sure && (read.reason === 'guess' || read.reason === 'guessYesNo')))
    return next(turn);
  // Starting over or going back loses answers: by meaning it is only shown back
  // (「重新开始付款吗」 is a question, and the one a scammer pushes), never run.
  if (sure && !LOSES_ANSWERS.has(top.intent))
    return next({ ...turn, command: { type: top.intent } as Command });
  return {
    session,
    replies: [
      say(
        t('common:reprompt.guessCommand', {
          command: t(`common:commandGuess.${top.intent}.what`),
          word: t(`common:commandGuess.${top.intent}.word`),
        }),
      ),
    ],
  };
};

const LOSES_ANSWERS = new Set(['restart', 'back']);

/** Four Chinese characters or two words: a short answer ("1", "是", "no") is no command. */
function isPhrase(s: string): boolean {
  const han = s.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= 4 || s.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length >= 2;
}
