import type { Session } from '../session.js';
import type { Facts } from '../../shared/types.js';
import type { FlowKit } from './kit.js';
import { withSession, type Handler, type Turn } from './turn.js';

/**
 * Which flow handles the message. Each session is handled by the flow it records (so it is
 * only ever migrated within its own flow); a session whose flow is no longer loaded goes to
 * the start flow, which tells the user the guide was updated (see migrate). Two messages move
 * a conversation between flows: "start over" means the whole conversation (back to the start
 * flow), and a correction of a fact another flow asked goes to that flow.
 */
export const route: Handler = (turn, next) => {
  const session = turn.session;
  if (!session) return next(turn);
  const own = turn.flows.get(session.flowId);
  if (turn.command?.type === 'restart' && own !== turn.flows.start)
    return next(moveTo(turn, turn.flows.start, session));
  if (!own) return next({ ...turn, kit: turn.flows.start });
  if (turn.flows.size < 2) return next({ ...turn, kit: own });
  // Parsed once here, and handed on to the correction handler.
  const corrected = own.understanding.correct(turn.inbound.text, turn.today, session.facts);
  if (Object.keys(corrected).length > 0) return next({ ...turn, kit: own, corrected });
  const owner = ownerOfCorrection(turn, own, session);
  if (!owner) return next({ ...turn, kit: own, corrected });
  return next({ ...moveTo(turn, owner.kit, session), corrected: owner.corrected });
};

/**
 * "不是500，是5000" about a fact another flow asked (carried over by a hand-over): this
 * flow's understanding knows only its own questions and would read it as an answer. The flow
 * that asked the fact takes the message instead: it changes the fact and walks again from its
 * start, so the branches follow and the hand-over brings the user back here.
 */
function ownerOfCorrection(
  turn: Turn,
  own: FlowKit,
  session: Session,
): { kit: FlowKit; corrected: Facts } | undefined {
  for (const kit of turn.flows.all()) {
    if (kit === own) continue;
    const corrected = kit.understanding.correct(turn.inbound.text, turn.today, session.facts);
    const facts = Object.keys(corrected);
    if (facts.length > 0 && facts.every((f) => !own.flow.factSteps.has(f)))
      return { kit, corrected };
  }
  return undefined;
}

function moveTo(turn: Turn, kit: FlowKit, session: Session): Turn {
  const moved: Session = {
    ...session,
    flowId: kit.id,
    flowHash: kit.flow.hash,
    stepId: kit.flow.definition.start,
    history: [],
  };
  return { ...withSession(turn, moved), kit };
}
