import { addDays } from '../shared/calendar.js';
import type { FactValue, Facts } from '../shared/types.js';
import { advance, knownAnswer, type CompiledFlow, type FlowEvent } from './compile.js';
import { factsRead, type Condition } from './conditions.js';
import type { Step } from './schema.js';

/** One way through the flow: the answers given, and the end step it arrives at. */
export interface FlowPath {
  steps: string[];
  answers: Array<{ stepId: string; value: FactValue }>;
  end: string;
}

/**
 * Thresholds the flow's conditions test, per fact: amounts (atLeast, below) and ages of dates
 * in days (daysSince…, yearsSince… as 365.25 days a year). Samples are taken between them,
 * so every branch the flow can tell apart is walked, whatever its numbers.
 */
export function thresholds(flow: CompiledFlow): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const add = (fact: string, n: number) => out.set(fact, [...(out.get(fact) ?? []), n]);
  const visit = (c: Condition): void => {
    if ('all' in c) return c.all.forEach(visit);
    if ('any' in c) return c.any.forEach(visit);
    if ('not' in c) return visit(c.not);
    if ('atLeast' in c) add(c.atLeast.fact, c.atLeast.value);
    if ('below' in c) add(c.below.fact, c.below.value);
    if ('daysSinceAtMost' in c) add(c.daysSinceAtMost.fact, c.daysSinceAtMost.days);
    if ('daysSinceMoreThan' in c) add(c.daysSinceMoreThan.fact, c.daysSinceMoreThan.days);
    if ('yearsSinceMoreThan' in c)
      add(c.yearsSinceMoreThan.fact, Math.round(c.yearsSinceMoreThan.years * 365.25));
  };
  for (const condition of allConditions(flow)) visit(condition);
  return out;
}

/** One value below, between and above the thresholds (rounded), or `fallback` without any. */
function between(points: number[] | undefined, fallback: number, floor: number): number[] {
  const sorted = [...new Set(points ?? [])].sort((a, b) => a - b);
  if (sorted.length === 0) return [fallback];
  const first = sorted[0] as number;
  const last = sorted.at(-1) as number;
  const mids = sorted.slice(1).map((p, i) => Math.round(((sorted[i] as number) + p) / 2));
  return [...new Set([Math.max(floor, Math.floor(first) - 1), ...mids, Math.ceil(last) + 365])];
}

/** Sample answers per step: every option, yes/no/unsure, a skip, and numbers between thresholds. */
export function sampleAnswers(
  step: Step,
  today: string,
  limits: ReadonlyMap<string, number[]> = new Map(),
): FactValue[] {
  if (step.type === 'choice') return step.options.map((o) => o.id);
  if (step.type !== 'input') return [];
  const skip = step.optional ? [''] : [];
  switch (step.input) {
    case 'yesno':
      return [true, false, 'unsure'];
    case 'money':
      return [...between(limits.get(step.fact), 500, 1), ...skip];
    case 'date':
      return [
        ...between(limits.get(step.fact), 1, 1).map((days) => addDays(today, -days)),
        ...skip,
      ];
    case 'text':
      return ['sample', ...skip];
  }
}

function allConditions(flow: CompiledFlow): Condition[] {
  const def = flow.definition;
  const out: Condition[] = [];
  for (const step of Object.values(def.steps)) {
    if (step.type === 'end') continue;
    const nexts =
      step.type === 'choice' ? [step.next, ...step.options.map((o) => o.next)] : [step.next];
    for (const next of nexts)
      if (Array.isArray(next)) for (const b of next) if (b.when) out.push(b.when);
  }
  if (def.escalate) out.push(def.escalate.when);
  return out;
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
  const limits = thresholds(flow);
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
    // As in the engine, a question whose fact is already known is not asked again.
    const known = knownAnswer(step, facts);
    const events: FlowEvent[] =
      step.type === 'message'
        ? [{ type: 'CONTINUE', today }]
        : known !== undefined
          ? [{ type: 'ANSWER', value: known, today }]
          : sampleAnswers(step, today, limits).map((value) => ({ type: 'ANSWER', value, today }));
    for (const event of events) {
      const next = advance(flow, stepId, facts, event);
      if (!next) continue;
      for (const suffix of walk(next.stepId, next.facts, depth + 1)) {
        const asked = event.type === 'ANSWER' && known === undefined;
        const answer = asked ? [{ stepId, value: event.value }] : [];
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

/**
 * A smaller set of paths that still walks every distinct sequence of steps and every answer
 * given at every step (each option, yes/no/unsure, a skip): enough to replay every text
 * variant without replaying thousands of paths that differ only in their combination.
 */
export function coveringPaths(paths: readonly FlowPath[]): FlowPath[] {
  const kind = (a: { stepId: string; value: FactValue }) =>
    `${a.stepId}=${typeof a.value === 'number' || /^\d{4}-\d{2}-\d{2}$/.test(String(a.value)) ? '#' : String(a.value)}`;
  const chosen = new Map<string, FlowPath>();
  const covered = new Set<string>();
  for (const path of paths) {
    const sequence = path.steps.join('>');
    const fresh = path.answers.map(kind).filter((k) => !covered.has(k));
    if (chosen.has(sequence) && fresh.length === 0) continue;
    chosen.set(chosen.has(sequence) ? `${sequence}#${chosen.size}` : sequence, path);
    for (const k of fresh) covered.add(k);
  }
  return [...chosen.values()];
}
