import { addDays } from '../core/calendar.js';
import type { FactValue, Facts } from '../core/types.js';
import { advance, type CompiledFlow, type FlowEvent } from './compile.js';
import { factsRead, type Condition } from './conditions.js';
import type { Step } from './schema.js';

/** One way through the flow: the answers given, and the end step it arrives at. */
export interface FlowPath {
  steps: string[];
  answers: Array<{ stepId: string; value: FactValue }>;
  end: string;
}

/**
 * Sample answers per input kind: enough to take every branch the recovery flow's conditions
 * can tell apart (recent / over 90 days / over 3 years; up to / over 10,000 yuan).
 */
export function sampleAnswers(step: Step, today: string): FactValue[] {
  if (step.type === 'choice') return step.options.map((o) => o.id);
  if (step.type !== 'input') return [];
  switch (step.input) {
    case 'yesno':
      return [true, false, 'unsure'];
    case 'money':
      return [500, 20_000];
    case 'date':
      return [addDays(today, -1), addDays(today, -100), addDays(today, -1500)];
    case 'text':
      return step.optional ? ['sample', ''] : ['sample'];
  }
}

/**
 * Every distinct way through the flow, as a sequence of steps from the start to an end. Two
 * walks count once only when they visit the same steps and differ in nothing but a date or
 * an amount taking the same branch: a different option, yes/no/unsure or a skipped answer
 * changes the words of the plan even where it does not change the route, so it is walked. Depth-first over XState's pure transition, memoised on the step and
 * the facts that conditions read: xstate/graph's getSimplePaths needed 35 s for the recovery
 * flow because it enumerates every combination of sample answers.
 */
export function enumeratePaths(flow: CompiledFlow, today: string): FlowPath[] {
  const routing = routingFacts(flow);
  const memo = new Map<string, Suffix[]>();

  const walk = (stepId: string, facts: Facts, depth: number): Suffix[] => {
    const step = flow.step(stepId);
    if (!step) return [];
    if (step.type === 'end') return [{ steps: [stepId], answers: [] }];
    if (depth > MAX_DEPTH)
      throw new Error(`a path is longer than ${MAX_DEPTH} steps at "${stepId}": is there a loop?`);
    const key = JSON.stringify([stepId, routing.map((f) => facts[f] ?? null)]);
    const cached = memo.get(key);
    if (cached) return cached;
    const found = new Map<string, Suffix>();
    const events: FlowEvent[] =
      step.type === 'message'
        ? [{ type: 'CONTINUE', today }]
        : sampleAnswers(step, today).map((value) => ({ type: 'ANSWER', value, today }));
    for (const event of events) {
      const next = advance(flow, stepId, facts, event);
      if (!next) continue;
      for (const suffix of walk(next.stepId, next.facts, depth + 1)) {
        const answer = event.type === 'ANSWER' ? [{ stepId, value: event.value }] : [];
        const path = { steps: [stepId, ...suffix.steps], answers: [...answer, ...suffix.answers] };
        const id = pathId(path);
        if (!found.has(id)) found.set(id, path);
      }
    }
    const result = [...found.values()];
    memo.set(key, result);
    return result;
  };

  return walk(flow.definition.start, {}, 0).map((s) => ({
    steps: s.steps,
    answers: s.answers,
    end: s.steps.at(-1) ?? '',
  }));
}

const MAX_DEPTH = 500;

/** Dates and amounts are sampled only to take branches; every other answer is part of the path. */
function pathId(path: Suffix): string {
  const kinds = path.answers.map((a) =>
    typeof a.value === 'number' || /^\d{4}-\d{2}-\d{2}$/.test(String(a.value))
      ? '#'
      : String(a.value),
  );
  return `${path.steps.join('>')}|${kinds.join(',')}`;
}

interface Suffix {
  steps: string[];
  answers: Array<{ stepId: string; value: FactValue }>;
}

function routingFacts(flow: CompiledFlow): string[] {
  const names = new Set<string>();
  const add = (c: Condition | undefined) => c && factsRead(c).forEach((f) => names.add(f));
  for (const step of Object.values(flow.definition.steps)) {
    if (step.type === 'end') continue;
    const nexts =
      step.type === 'choice' ? [step.next, ...step.options.map((o) => o.next)] : [step.next];
    for (const next of nexts) if (Array.isArray(next)) next.forEach((b) => add(b.when));
  }
  return [...names].sort();
}
