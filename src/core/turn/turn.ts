import type { Command } from '../commands.js';
import type { Translator } from '../ports.js';
import type { Reply } from '../replies.js';
import type { Session } from '../session.js';
import type { Facts, Lang } from '../../shared/types.js';
import type { HandoffEvent, HandoffPolicy } from '../handoff.js';
import type { FlowKit, FlowSet } from './kit.js';

/** One message, in the same shape from every channel. */
export interface Inbound {
  userId: string;
  text: string;
  /** A language the adapter already knows (e.g. `--lang en`); otherwise it is detected. */
  lang?: Lang;
  /** Which channel it came from ("console", "wechat", …), for logs and per-channel rules. */
  channel?: string;
  /** The channel's own message id, where it has one: channels that retry are deduplicated by it. */
  messageId?: string;
}

/** What a turn produced: the session to store (null: erase the user's data) and the replies. */
export interface Outcome {
  session: Session | null;
  replies: Reply[];
  /** What the operator side must hear (a new case, the user's words, back to the bot). */
  handoff?: HandoffEvent[];
  /** A person could help here (the third unclear answer in a row): turn/handoff.ts offers one. */
  offer?: true;
}

/**
 * Everything one message is handled with, as one immutable value (grammY's context, without
 * its mutability): a handler that changes something passes a new turn on to `next`.
 */
export interface Turn {
  /** The stored conversation; undefined for a user without one (or an unreadable one). */
  readonly session: Session | undefined;
  readonly inbound: Inbound;
  readonly now: Date;
  /** The user's calendar date (Asia/Shanghai), for date conditions and parsing. */
  readonly today: string;
  /** The flow this message is handled by (the session's, else the start flow). */
  readonly kit: FlowKit;
  /** Every flow loaded, for routing and hand-overs. */
  readonly flows: FlowSet;
  /** The conversation's language: the session's, the adapter's, or detected from the text. */
  readonly lang: Lang;
  /** Words in that language. */
  readonly t: Translator;
  /** The message as a command ("help", "返回"…), parsed once for every handler. */
  readonly command: Command | undefined;
  /** A correction found while routing (so it is parsed once), for the correction handler. */
  readonly corrected?: Facts;
  /** How long handoffs wait and hold; undefined when no operator side is connected. */
  readonly handoff?: HandoffPolicy | undefined;
  /** A scam phrase noticed in an answer to a safety question: that answer is asked again. */
  readonly signal?: string;
}

export type Next = (turn: Turn) => Outcome;

/** One behaviour of the engine: answer the turn itself, or pass it (maybe changed) on. */
export type Handler = (turn: Turn, next: Next) => Outcome;

/** The turn with a session it now stands in (and that session's language and words). */
export function withSession(turn: Turn, session: Session): Turn {
  return session.lang === turn.lang
    ? { ...turn, session }
    : { ...turn, session, lang: session.lang, t: turn.flows.translators(session.lang) };
}

/**
 * Handlers in order, as one function: each gets the turn and the rest of the list as `next`.
 * The end of the list is never reached in a well-formed pipeline (the answer handler always
 * answers), so reaching it is a programming error.
 */
export function compose(handlers: readonly Handler[]): Next {
  return handlers.reduceRight<Next>(
    (next, handler) => (turn) => handler(turn, next),
    () => {
      throw new Error('no handler answered the turn');
    },
  );
}

/** A reply of plain paragraphs. */
export const say = (text: string): Reply => ({ type: 'text', text });
