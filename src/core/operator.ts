import { expired, type HandoffPolicy, type OperatorAction } from './handoff.js';
import type { Session } from './session.js';
import type { FlowKit } from './turn/kit.js';
import { backToBot } from './turn/handoff.js';
import { say, type Outcome } from './turn/turn.js';

/** Stands in for the operator's words while the line around them is worded (i18next must not read them). */
const WORDS = '\u{E000}';

/**
 * What an operator (or the clock) does to a case, as a pure step like the user's turn:
 * the session after it, what the user is told, and what the operator side hears. Undefined:
 * nothing to do (no such case open, or nothing has run out yet).
 */
export function operate(
  kit: FlowKit,
  session: Session,
  action: OperatorAction,
  now: Date,
  today: string,
  policy: HandoffPolicy,
): Outcome | undefined {
  const handoff = session.handoff;
  if (!handoff) return undefined;
  const t = kit.translators(session.lang);
  const stamp = now.toISOString();
  switch (action.type) {
    case 'expire':
      if (!expired(handoff, policy, now)) return undefined;
      return backToBot(kit, session, handoff.state === 'waiting' ? 'timeout' : 'silence', today);
    case 'rename':
      return { session: { ...session, handoff: { ...handoff, ref: action.ref } }, replies: [] };
    case 'done':
      return backToBot(kit, session, 'operator', today);
    case 'take':
    case 'say': {
      const taking = handoff.state === 'waiting' || handoff.operator !== action.operator;
      const held: Session = {
        ...session,
        handoff: {
          ...handoff,
          state: 'human',
          operator: action.operator,
          since: handoff.state === 'waiting' ? stamp : handoff.since,
          lastAt: stamp,
        },
      };
      const joined = handoff.state === 'waiting' ? [say(t('common:handoff.taken'))] : [];
      const words =
        action.type === 'say'
          ? // A function, so that `$$`, `$&` or `$'` in the operator's words stay as typed (a
            // replacement string would read them as patterns).
            [
              say(
                t('common:handoff.operatorSays', { text: WORDS }).replace(WORDS, () => action.text),
              ),
            ]
          : [];
      return {
        session: held,
        replies: [...joined, ...words],
        handoff: taking ? [{ type: 'taken', ref: handoff.ref, operator: action.operator }] : [],
      };
    }
  }
}
