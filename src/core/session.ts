import type { Facts, Lang } from '../shared/types.js';
import type { Handoff } from './handoff.js';

/** One past position, for "back". */
export interface HistoryEntry {
  stepId: string;
  facts: Facts;
}

/**
 * Everything stored about one user. Plain JSON, so any store can keep it. `flowHash` pins
 * the session to the flow it was started on (see the flow-change handling in the engine).
 */
export interface Session {
  v: 1;
  userId: string;
  lang: Lang;
  flowId: string;
  flowHash: string;
  stepId: string;
  facts: Facts;
  history: HistoryEntry[];
  /** Unclear answers in a row at the current step. */
  failures: number;
  /** Messages handled in this conversation: lets a crash test tell a lost write from a kept one. */
  turns?: number;
  /** Unclear answers per step over the whole conversation: counts only, for `flow stats`. */
  failuresByStep?: Record<string, number>;
  /** A yes/no the next message answers: erase everything, or share the case with a person. */
  pending?: 'confirm-forget' | 'confirm-handoff';
  /**
   * Who answers the user. Absent (every session stored before handoff existed): the bot. While
   * a person is asked for or holds the conversation, the bot does not answer (turn/handoff.ts).
   */
  handoff?: Handoff;
  /**
   * A scam signal in free text waits for its confirmation question: which interrupt, and the
   * phrase noticed (the flow's own words, never the user's).
   */
  confirming?: { interrupt: string; noticed: string };
  /**
   * A signal seen while the screen was still open: once every screen answer is "no", its
   * confirmation question is asked (turn/confirm-signal.ts), so a "no" cannot skip it.
   */
  noticed?: { interrupt: string; noticed: string };
  /** Message steps marked `once` already shown in this conversation. */
  shown?: string[];
  /** Signals the user has said were not a scam: the same phrase does not ask again. */
  dismissed?: string[];
  /** Where the engine last started walking after an answer: the plan is re-shown from here. */
  enteredAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** "back" can undo this many answers; older ones are dropped to keep sessions small. */
export const MAX_HISTORY = 50;

export function pushHistory(session: Session): HistoryEntry[] {
  return [...session.history, { stepId: session.stepId, facts: session.facts }].slice(-MAX_HISTORY);
}
