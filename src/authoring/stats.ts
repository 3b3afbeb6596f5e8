import type { Session } from '../core/session.js';
import type { FlowDefinition } from '../flow/schema.js';

export interface StepStats {
  step: string;
  /** Conversations that got to this step. */
  reached: number;
  /** Conversations now standing here, not at an end: left here, or still going. */
  stoppedHere: number;
  /** Answers at this step that could not be understood (counts only, never the text). */
  unclearAnswers: number;
}

/** A funnel per step from the stored sessions. */
export async function funnel(
  flow: FlowDefinition,
  sessions: AsyncIterable<Session>,
): Promise<{ total: number; finished: number; steps: StepStats[] }> {
  const steps = new Map<string, StepStats>(
    Object.keys(flow.steps).map((step) => [
      step,
      { step, reached: 0, stoppedHere: 0, unclearAnswers: 0 },
    ]),
  );
  let total = 0;
  let finished = 0;
  for await (const session of sessions) {
    if (session.flowId !== flow.id) continue;
    total++;
    const visited = new Set([...session.history.map((h) => h.stepId), session.stepId]);
    for (const id of visited) {
      const s = steps.get(id);
      if (s) s.reached++;
    }
    const here = steps.get(session.stepId);
    if (flow.steps[session.stepId]?.type === 'end') finished++;
    else if (here) here.stoppedHere++;
    for (const [id, count] of Object.entries(session.failuresByStep ?? {})) {
      const s = steps.get(id);
      if (s) s.unclearAnswers += count;
    }
  }
  return { total, finished, steps: [...steps.values()] };
}
