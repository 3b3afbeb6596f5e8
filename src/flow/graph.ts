import type { Condition } from './conditions.js';
import type { Path } from './path.js';
import type { FlowDefinition, Next, Step } from './schema.js';

/**
 * The `next` a step writes, each with where it is written (`['next']`, or an option's
 * `['options', i, 'next']`): the one statement of a step's ways out, from which the loader,
 * the lint, path sampling and the graph all read.
 */
export function nexts(step: Step): Array<{ path: Path; next: Next }> {
  if (step.type === 'end') return [];
  const own = step.next === undefined ? [] : [{ path: ['next'] as Path, next: step.next }];
  if (step.type !== 'choice') return own;
  return [
    ...own,
    ...step.options.flatMap((o, i) =>
      o.next === undefined ? [] : [{ path: ['options', i, 'next'] as Path, next: o.next }],
    ),
  ];
}

/** Every branch condition a step writes, with where it is written. */
export function branchConditions(step: Step): Array<[Path, Condition]> {
  return nexts(step).flatMap(({ path, next }) =>
    Array.isArray(next)
      ? next.flatMap((b, i) =>
          b.when ? [[[...path, i, 'when'], b.when] as [Path, Condition]] : [],
        )
      : [],
  );
}

/**
 * A step's ways out, each with its branch condition (a choice's options included) and the
 * conditions of the branches before it in the list, which were false when it is taken.
 */
export function edges(step: Step): Array<{ to: string; when?: Condition; unless?: Condition[] }> {
  const of = (next: Next | undefined) =>
    next === undefined
      ? []
      : typeof next === 'string'
        ? [{ to: next }]
        : next.map((b, i) => {
            const unless = next.slice(0, i).flatMap((e) => (e.when ? [e.when] : []));
            return {
              to: b.to,
              ...(b.when ? { when: b.when } : {}),
              ...(unless.length > 0 ? { unless } : {}),
            };
          });
  if (step.type === 'end') return [];
  if (step.type !== 'choice') return of(step.next);
  return step.options.flatMap((o) => of(o.next ?? step.next));
}

/** The flow as a plain directed graph of step ids (every branch counted, conditions ignored). */
export function successors(step: Step): string[] {
  return [...new Set(edges(step).map((e) => e.to))];
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
  const canEnd = new Set(
    Object.entries(flow.steps)
      .filter(([, s]) => s.type === 'end')
      .map(([id]) => id),
  );
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

/**
 * The steps an escalation leaves alone: the story-gathering `intake` steps, and every step
 * whose every reachable end is one of the safe plan's ends (it already is the safe plan).
 */
export function escalationExempt(flow: FlowDefinition): Set<string> {
  const escalate = flow.escalate;
  if (!escalate) return new Set();
  const exempt = new Set(escalate.intake);
  // Built once: asking each step's edges again for every walk made this a fifth of start-up.
  const next = new Map(Object.entries(flow.steps).map(([id, s]) => [id, successors(s)]));
  for (const from of next.keys()) {
    const seen = new Set<string>();
    const ends = new Set<string>();
    const stack = [from];
    for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
      if (seen.has(id)) continue;
      seen.add(id);
      if (flow.steps[id]?.type === 'end') ends.add(id);
      stack.push(...(next.get(id) ?? []));
    }
    if (ends.size === 1 && ends.has(escalate.end)) exempt.add(from);
  }
  return exempt;
}
