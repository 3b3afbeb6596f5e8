import type { Session } from '../session.js';
import type { FlowSet } from './kit.js';
import type { Handler, Outcome } from './turn.js';

/**
 * An end step with `handover` says its words and hands the conversation to the named flow,
 * which starts at its first step with every fact known so far (questions already answered are
 * skipped, as always). Followed at most once per flow, so a cycle cannot loop.
 */
export const handOver: Handler = (turn, next) =>
  followHandOvers(turn.flows, next(turn), turn.today);

export function followHandOvers(flows: FlowSet, outcome: Outcome, today: string): Outcome {
  let current = outcome;
  for (let hops = 0; hops < flows.size; hops++) {
    const session = current.session;
    if (!session) return current;
    const here = flows.get(session.flowId) ?? flows.start;
    const step = here.flow.step(session.stepId);
    if (step?.type !== 'end' || !step.handover) return current;
    const target = flows.get(step.handover);
    if (!target) return current;
    // "back" cannot reach into the previous flow: its steps are not this flow's.
    const { enteredAt: _left, ...rest } = session;
    void _left;
    const moved: Session = {
      ...rest,
      flowId: target.id,
      flowHash: target.flow.hash,
      stepId: target.flow.definition.start,
      history: [],
      failures: 0,
    };
    const entered = target.enter(moved, today);
    current = { session: entered.session, replies: [...current.replies, ...entered.replies] };
  }
  return current;
}
