import type { Reply } from './replies.js';

/**
 * Handoff to a person, in channel-neutral terms (docs/architecture.md, "Handoff"): the session
 * records who answers the user; the engine's outcomes say what the operator side must hear.
 * Each channel carries these its own way (an operator room on the personal account; WeCom kf
 * maps the states to its own `service_state`).
 */
export interface Handoff {
  /** `waiting`: the user asked for a person and agreed to share; `human`: a person holds it. */
  state: 'waiting' | 'human';
  /** When this state began (ISO time). */
  since: string;
  /** The short case reference operators use, four hex digits ("a1b2", shown as #a1b2). */
  ref: string;
  /** Who took the case, as the channel names its operators. */
  operator?: string;
  /** The last message either way (ISO time): a long silence returns the user to the bot. */
  lastAt: string;
}

/** How long a request waits for a person, and how long a silent conversation is held. */
export interface HandoffPolicy {
  waitMinutes: number;
  silenceHours: number;
}

export const DEFAULT_HANDOFF_POLICY: HandoffPolicy = { waitMinutes: 10, silenceHours: 12 };

/** Why a conversation went back to the bot. */
export type HandoffEndReason = 'user' | 'operator' | 'timeout' | 'silence' | 'forget';

/** What the operator side must hear after a turn (outcome.handoff). */
export type HandoffEvent =
  /** A new case: the summary the user agreed to share (never the raw chat). */
  | { type: 'requested'; ref: string; summary: Reply[] }
  /**
   * The user wrote while waiting or talking to a person; `alarm`: a scam phrase the flow knows;
   * `media`: a picture, voice message or file (not carried: the person asks for words).
   */
  | { type: 'user-message'; ref: string; text: string; alarm?: string; media?: true }
  /** An operator took the case. */
  | { type: 'taken'; ref: string; operator: string }
  /** The conversation is back with the bot (or erased). */
  | { type: 'ended'; ref: string; reason: HandoffEndReason };

/** What an operator (or the clock) does to a case. */
export type OperatorAction =
  | { type: 'take'; operator: string }
  /** Words to the user; taking a waiting case by speaking to it. */
  | { type: 'say'; operator: string; text: string }
  | { type: 'done'; operator: string }
  /** The clock: a request nobody took, or a conversation silent too long, goes back. */
  | { type: 'expire' }
  /** The channel found the reference held by another open case: this one is renamed. */
  | { type: 'rename'; ref: string };

/**
 * A case reference from the user and the time (pure: no randomness in the core), FNV-1a over
 * both, four hex digits. `salt` gives another one when a channel finds this one taken.
 */
export function caseRef(userId: string, now: Date, salt = 0): string {
  let hash = 0x811c9dc5;
  for (const ch of `${userId}|${now.toISOString()}|${salt}`) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash & 0xffff).toString(16).padStart(4, '0');
}

/** Whether the wait or the silence has run out at `now`. */
export function expired(handoff: Handoff, policy: HandoffPolicy, now: Date): boolean {
  const limit =
    handoff.state === 'waiting' ? policy.waitMinutes * 60_000 : policy.silenceHours * 3_600_000;
  const from = handoff.state === 'waiting' ? handoff.since : handoff.lastAt;
  return now.getTime() - Date.parse(from) >= limit;
}
