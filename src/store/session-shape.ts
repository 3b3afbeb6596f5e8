import type { Session } from '../core/session.js';
import { DEFAULT_LANG, isLang } from '../shared/types.js';

/**
 * A stored value's session, checked: JSON that is not a session of this key (null, [], {},
 * another user's session) is refused like a torn file. An unknown language falls back to the
 * default rather than showing raw keys. Throws SyntaxError when it is not a session.
 */
export function sessionOf(data: unknown, owns: (userId: string) => boolean): Session {
  const session = (data as { session?: unknown } | null)?.session as
    Partial<Session> | null | undefined;
  const ok =
    session !== null &&
    typeof session === 'object' &&
    session.v === 1 &&
    typeof session.userId === 'string' &&
    owns(session.userId) &&
    typeof session.stepId === 'string' &&
    typeof session.facts === 'object' &&
    session.facts !== null &&
    Array.isArray(session.history);
  if (!ok) throw new SyntaxError('not a session of this user');
  return isLang(session.lang)
    ? (session as Session)
    : { ...(session as Session), lang: DEFAULT_LANG };
}
