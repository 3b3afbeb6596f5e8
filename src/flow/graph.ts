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
  const seen = new Set<string>([flow.start]);
  const queue = [flow.start];
  // An index, not queue.shift(): each step is visited once, so large flows stay linear.
  for (let i = 0; i < queue.length; i++) {
    const step = flow.steps[queue[i] as string];
    if (!step) continue;
    for (const to of successors(step)) {
      if (seen.has(to)) continue;
      seen.add(to);
      queue.push(to);
    }
  }
  return new Set([...seen].filter((id) => Object.hasOwn(flow.steps, id)));
}

/** Every step's predecessors: built once, so a walk backwards visits each edge once. */
function predecessors(flow: FlowDefinition): Map<string, string[]> {
  const before = new Map<string, string[]>();
  for (const [id, step] of Object.entries(flow.steps)) {
    for (const to of successors(step)) {
      const list = before.get(to);
      if (list) list.push(id);
      else before.set(to, [id]);
    }
  }
  return before;
}

/** The steps from which one of `targets` can be reached (the targets included). */
function reaching(targets: Iterable<string>, before: Map<string, string[]>): Set<string> {
  const seen = new Set(targets);
  const stack = [...seen];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    for (const from of before.get(id) ?? []) {
      if (seen.has(from)) continue;
      seen.add(from);
      stack.push(from);
    }
  }
  return seen;
}

const endIds = (flow: FlowDefinition) =>
  Object.entries(flow.steps).flatMap(([id, s]) => (s.type === 'end' ? [id] : []));

/**
 * Steps from which no end step can be reached: a user there could never finish. One walk
 * backwards from the ends (a pass per step made loading a 4,000-step flow take seconds).
 */
export function stepsWithoutWayToEnd(flow: FlowDefinition): string[] {
  const canEnd = reaching(endIds(flow), predecessors(flow));
  return Object.keys(flow.steps).filter((id) => !canEnd.has(id));
}

/**
 * The steps an escalation leaves alone: the story-gathering `intake` steps, and every step
 * whose every reachable end is one of the safe plan's ends (it already is the safe plan):
 * those that reach the safe end and no other, found by two walks backwards.
 */
export function escalationExempt(flow: FlowDefinition): Set<string> {
  const escalate = flow.escalate;
  if (!escalate) return new Set();
  const before = predecessors(flow);
  const toSafe = reaching([escalate.end], before);
  const toOther = reaching(
    endIds(flow).filter((id) => id !== escalate.end),
    before,
  );
  const exempt = new Set(escalate.intake);
  for (const id of toSafe) if (!toOther.has(id) && Object.hasOwn(flow.steps, id)) exempt.add(id);
  return exempt;
}

/**
 * Loops made of message steps only: nothing in them asks the user, and a message sets no
 * fact, so a conversation that enters one goes round it until the engine's bound on every
 * message, and never ends. Each loop as its steps in the order walked, from the first one
 * written. Strongly connected components (Tarjan, iterative), so linear in the flow's size.
 */
export function automaticLoops(flow: FlowDefinition): string[][] {
  const auto = (id: string) => flow.steps[id]?.type === 'message';
  const next = new Map<string, string[]>();
  for (const [id, step] of Object.entries(flow.steps))
    if (step.type === 'message') next.set(id, successors(step).filter(auto));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const loops: string[][] = [];
  for (const root of next.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    index.set(root, index.size);
    low.set(root, index.get(root) as number);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { id: string; i: number };
      const out = next.get(frame.id) ?? [];
      if (frame.i < out.length) {
        const to = out[frame.i++] as string;
        if (!index.has(to)) {
          index.set(to, index.size);
          low.set(to, index.get(to) as number);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, i: 0 });
        } else if (onStack.has(to))
          low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(to) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent)
        low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(frame.id) as number));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const component = new Set<string>();
      for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
        onStack.delete(id);
        component.add(id);
        if (id === frame.id) break;
      }
      const selfLoop = (next.get(frame.id) ?? []).includes(frame.id);
      if (component.size > 1 || selfLoop) loops.push(cycleThrough(component, next, flow));
    }
  }
  return loops;
}

/** One way round a loop's steps, from the first written, back to it. */
function cycleThrough(
  component: Set<string>,
  next: Map<string, string[]>,
  flow: FlowDefinition,
): string[] {
  const first = Object.keys(flow.steps).find((id) => component.has(id)) as string;
  // Breadth first inside the component, back to the first step: the shortest way round.
  const from = new Map<string, string>();
  const queue = [first];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    for (const to of next.get(id) ?? []) {
      if (!component.has(to)) continue;
      if (to === first) {
        const way = [id];
        for (let at = from.get(id); at !== undefined; at = from.get(at)) way.unshift(at);
        return way;
      }
      if (from.has(to)) continue;
      from.set(to, id);
      queue.push(to);
    }
  }
  return [first];
}

/**
 * Flows that hand over to each other in a ring: facts are kept across a hand-over, so the
 * flow handed back to skips every question already answered and walks to the same end
 * again, and the user gets hand-over texts and no plan. Each ring as the flow ids in order,
 * from the first flow given, with the step that hands over at each.
 */
export function handOverLoops(
  flows: readonly FlowDefinition[],
): Array<Array<{ flow: string; step: string }>> {
  const out = new Map<string, Array<{ flow: string; step: string; to: string }>>();
  for (const flow of flows) {
    const list: Array<{ flow: string; step: string; to: string }> = [];
    for (const [step, s] of Object.entries(flow.steps))
      if (s.type === 'end' && s.handover) list.push({ flow: flow.id, step, to: s.handover });
    out.set(flow.id, list);
  }
  const rings: Array<Array<{ flow: string; step: string }>> = [];
  const reported = new Set<string>();
  // Few flows and few hand-overs: a walk from each flow finds the rings through it.
  for (const { id: origin } of flows) {
    const seen = new Set<string>();
    const walk = (id: string, way: Array<{ flow: string; step: string }>): void => {
      for (const edge of out.get(id) ?? []) {
        const here = [...way, { flow: edge.flow, step: edge.step }];
        if (edge.to === origin) {
          const key = [...here.map((h) => h.flow)].sort().join(' ');
          if (!reported.has(key)) {
            reported.add(key);
            rings.push(here);
          }
        } else if (!seen.has(edge.to)) {
          seen.add(edge.to);
          walk(edge.to, here);
        }
      }
    };
    walk(origin, []);
  }
  return rings;
}
