import { transition } from 'xstate';
import { beforeAll, inject, describe, expect, it } from 'vitest';
import { advance, type CompiledFlow, type FlowEvent } from '../src/flow/compile.js';
import { sampleAnswers, thresholds } from '../src/flow/paths.js';
import type { Facts } from '../src/shared/types.js';
import { loadKit } from './helpers.js';

/**
 * The engine steps the flow with a direct evaluator (flow/compile.ts `advance`); XState's
 * machine compiled from the same definition is the reference it must agree with, on every step
 * of the shipped flow, for the facts of real walks and every sampled answer.
 */
const TODAY = '2026-11-28';
let flow: CompiledFlow;
beforeAll(async () => {
  flow = (await loadKit()).flow;
});

function byXState(stepId: string, facts: Facts, event: FlowEvent) {
  const from = flow.machine.resolveState({ value: stepId, context: { facts } });
  const [next] = transition(flow.machine, from, event);
  if (next.value === from.value && next.context === from.context) return undefined;
  const after = (next.context as { facts: Facts }).facts;
  return { stepId: flow.redirect(String(next.value), after, TODAY), facts: after };
}

describe('the direct evaluator and the XState machine', () => {
  it('agree on every step, for the facts of every covering walk and every sampled answer', () => {
    const limits = thresholds(flow);
    const seen = new Set<string>();
    const counts = new Map<string, number>();
    let compared = 0;
    for (const path of inject('coveringPaths')) {
      let facts: Facts = {};
      for (const stepId of path.steps) {
        const step = flow.step(stepId);
        if (!step || step.type === 'end') break;
        // Up to 30 different fact sets per step: enough to take every branch, in seconds.
        const state = JSON.stringify([stepId, facts]);
        const perStep = (counts.get(stepId) ?? 0) + 1;
        const fresh = !seen.has(state) && perStep <= 30;
        if (fresh) counts.set(stepId, perStep);
        seen.add(state);
        const events: FlowEvent[] =
          step.type === 'message'
            ? [
                { type: 'CONTINUE', today: TODAY },
                { type: 'ANSWER', value: 'x', today: TODAY },
              ]
            : [
                ...sampleAnswers(step, TODAY, limits).map((value): FlowEvent => ({
                  type: 'ANSWER',
                  value,
                  today: TODAY,
                })),
                { type: 'ANSWER', value: 'no-such-option', today: TODAY },
                { type: 'CONTINUE', today: TODAY },
              ];
        for (const event of fresh ? events : []) {
          expect(advance(flow, stepId, facts, event), `${stepId} ${JSON.stringify(event)}`).toEqual(
            byXState(stepId, facts, event),
          );
          compared++;
        }
        const answer = path.answers.find((a) => a.stepId === stepId);
        const event: FlowEvent = answer
          ? { type: 'ANSWER', value: answer.value, today: TODAY }
          : step.type === 'message'
            ? { type: 'CONTINUE', today: TODAY }
            : { type: 'ANSWER', value: facts[(step as { fact: string }).fact] ?? '', today: TODAY };
        facts = advance(flow, stepId, facts, event)?.facts ?? facts;
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });
});
