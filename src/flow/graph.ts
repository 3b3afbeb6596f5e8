import type { FlowDefinition, Next, Step } from './schema.js';

/** The flow as a plain directed graph of step ids (every branch counted, conditions ignored). */
export function successors(step: Step): string[] {
  const targets = (next: Next | undefined): string[] =>
    next === undefined ? [] : typeof next === 'string' ? [next] : next.map((b) => b.to);
  if (step.type === 'end') return [];
  if (step.type !== 'choice') return targets(step.next);
  return [...new Set([...step.options.flatMap((o) => targets(o.next ?? step.next))])];
}

export function reachableSteps(flow: FlowDefinition): Set<string> {
  const seen = new Set<string>();
  const queue = [flow.start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const step = flow.steps[id];
    if (seen.has(id) || !step) continue;
    seen.add(id);
    queue.push(...successors(step));
  }
  return seen;
}

/** Steps from which no end step can be reached: a user there could never finish. */
export function stepsWithoutWayToEnd(flow: FlowDefinition): string[] {
  const canEnd = new Set(Object.entries(flow.steps).filter(([, s]) => s.type === 'end').map(([id]) => id));
  let changed = true;
  while (changed) {
    changed = false;
    for (const [id, step] of Object.entries(flow.steps)) {
      if (!canEnd.has(id) && successors(step).some((s) => canEnd.has(s))) {
        canEnd.add(id);
        changed = true;
      }
    }
  }
  return Object.keys(flow.steps).filter((id) => !canEnd.has(id));
}
