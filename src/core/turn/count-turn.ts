import type { Handler } from './turn.js';

/**
 * Counts the messages handled in a conversation: a crash test tells a lost write from a kept
 * one by it. Placed after `tooLong`, whose refusals are not turns.
 */
export const countTurn: Handler = (turn, next) => {
  const outcome = next(turn);
  return outcome.session
    ? { ...outcome, session: { ...outcome.session, turns: (turn.session?.turns ?? 0) + 1 } }
    : outcome;
};
