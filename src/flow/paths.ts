import { addDays } from '../shared/calendar.js';
import { offersUnsure } from './unsure.js';
import type { FactValue, Facts } from '../shared/types.js';
import { advance, knownAnswer, type CompiledFlow, type FlowEvent } from './compile.js';
import { conditionThresholds, factsRead, type Condition } from './conditions.js';
import { contradiction } from './constraints.js';
import { branchConditions, edges } from './graph.js';
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
  for (const condition of allConditions(flow))
    for (const { fact, value } of conditionThresholds(condition)) add(fact, value);
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

/** Sample answers per step: every option, yes/no (and unsure where offered), a skip, and numbers between thresholds. */
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
      // "Not sure" is only an answer where the question offers it (unsure.ts).
      return offersUnsure(step) ? [true, false, 'unsure'] : [true, false];
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
  for (const step of Object.values(def.steps))
    for (const [, condition] of branchConditions(step)) out.push(condition);
  if (def.escalate) out.push(def.escalate.when);
  return out;
}

/**
 * Every distinct way through the flow, as a graph of shared suffixes: a node is a step with
 * the facts that still matter from there on (the facts read by the conditions of the steps it
 * can reach, the escalation's, and the facts those steps set, whose being known skips them).
 * Two walks count once only when they visit the same steps and differ in nothing but a date
 * or an amount taking the same branches: a different option, yes/no/unsure or a skipped
 * answer changes the words of the plan even where it does not change the route, so it is
 * walked. The paths themselves are only produced on demand (`paths()`), so a flow with
 * hundreds of thousands of them is counted and walked in bounded memory.
 */
export interface PathGraph {
  /** How many distinct paths there are, without producing them. */
  readonly count: number;
  /** How many paths arrive at each end step, without producing them. */
  ends(): Map<string, number>;
  /** The first of the longest paths (most steps) in the order of paths(), without walking them all. */
  longest(): FlowPath | undefined;
  /** The paths one by one, depth first. */
  paths(): Generator<FlowPath>;
  /** A covering subset of the paths (see coveringPaths), found without producing them all. */
  covering(): FlowPath[];
}

interface Node {
  stepId: string;
  edges: Array<{ answer?: { stepId: string; value: FactValue }; child: Node }>;
  count: number;
  /** Equal for two nodes exactly when they have the same paths (steps and answer kinds). */
  sig: string;
}

export function pathGraph(flow: CompiledFlow, today: string): PathGraph {
  const relevant = relevantFacts(flow);
  const limits = thresholds(flow);
  const memo = new Map<string, Node>();
  const bySig = new Map<string, Node>();

  const build = (stepId: string, facts: Facts, depth: number): Node | undefined => {
    const step = flow.step(stepId);
    if (!step) return undefined;
    if (step.type === 'end') return intern({ stepId, edges: [], count: 1, sig: stepId });
    if (depth > MAX_DEPTH)
      throw new Error(`a path is longer than ${MAX_DEPTH} steps at "${stepId}": is there a loop?`);
    const key = JSON.stringify([stepId, (relevant.get(stepId) ?? []).map((f) => facts[f] ?? null)]);
    const cached = memo.get(key);
    if (cached) return cached;
    // As in the engine, a question whose fact is already known is not asked again.
    const known = knownAnswer(step, facts);
    const events: FlowEvent[] =
      step.type === 'message'
        ? [{ type: 'CONTINUE', today }]
        : known !== undefined
          ? [{ type: 'ANSWER', value: known, today }]
          : sampleAnswers(step, today, limits).map((value) => ({ type: 'ANSWER', value, today }));
    const edges = new Map<string, Node['edges'][number]>();
    for (const event of events) {
      // An answer the engine would refuse (the amount meant above the amount paid) is no path.
      if (event.type === 'ANSWER' && contradiction(step, event.value, facts)) continue;
      const next = advance(flow, stepId, facts, event);
      const child = next && build(next.stepId, next.facts, depth + 1);
      if (!child) continue;
      const asked = event.type === 'ANSWER' && known === undefined;
      const answer = asked ? { stepId, value: event.value } : undefined;
      const id = `${answer ? answerKind(answer.value) : '-'}|${child.sig}`;
      if (!edges.has(id)) edges.set(id, { ...(answer ? { answer } : {}), child });
    }
    const list = [...edges.values()];
    const node = intern({
      stepId,
      edges: list,
      count: list.reduce((n, e) => n + e.child.count, 0),
      sig: hash(`${stepId}(${[...edges.keys()].sort().join(';')})`),
    });
    memo.set(key, node);
    return node;
  };
  // Nodes with the same paths are one object, so the graph stays small.
  const intern = (node: Node): Node => {
    const seen = bySig.get(node.sig);
    if (seen) return seen;
    bySig.set(node.sig, node);
    return node;
  };

  const root = build(flow.definition.start, {}, 0);
  return {
    count: root?.count ?? 0,
    *paths() {
      if (!root) return;
      const steps: string[] = [];
      const answers: FlowPath['answers'] = [];
      function* walk(node: Node): Generator<FlowPath> {
        steps.push(node.stepId);
        if (node.edges.length === 0)
          yield { steps: [...steps], answers: [...answers], end: node.stepId };
        for (const edge of node.edges) {
          if (edge.answer) answers.push(edge.answer);
          yield* walk(edge.child);
          if (edge.answer) answers.pop();
        }
        steps.pop();
      }
      yield* walk(root);
    },
    ends: () => (root ? endCounts(root) : new Map()),
    longest: () => (root ? longestPath(root) : undefined),
    covering: () => (root ? coverDag(root) : []),
  };
}

/** Paths per end, summed over the graph: each node once, however many paths pass it. */
function endCounts(root: Node): Map<string, number> {
  const memo = new Map<Node, Map<string, number>>();
  const of = (node: Node): Map<string, number> => {
    const seen = memo.get(node);
    if (seen) return seen;
    const out = new Map<string, number>();
    if (node.edges.length === 0) out.set(node.stepId, 1);
    for (const edge of node.edges)
      for (const [end, n] of of(edge.child)) out.set(end, (out.get(end) ?? 0) + n);
    memo.set(node, out);
    return out;
  };
  return new Map([...of(root)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The longest path, by the longest way on from each node (the first edge of them on a tie). */
function longestPath(root: Node): FlowPath {
  const memo = new Map<Node, { steps: number; edge?: Node['edges'][number] }>();
  const of = (node: Node): { steps: number; edge?: Node['edges'][number] } => {
    const seen = memo.get(node);
    if (seen) return seen;
    let best: { steps: number; edge?: Node['edges'][number] } = { steps: 1 };
    for (const edge of node.edges) {
      const steps = of(edge.child).steps + 1;
      if (best.edge === undefined || steps > best.steps) best = { steps, edge };
    }
    memo.set(node, best);
    return best;
  };
  const path: FlowPath = { steps: [root.stepId], answers: [], end: root.stepId };
  for (let edge = of(root).edge; edge; edge = of(edge.child).edge) {
    path.steps.push(edge.child.stepId);
    if (edge.answer) path.answers.push(edge.answer);
    path.end = edge.child.stepId;
  }
  return path;
}

/**
 * coveringPaths over the graph, without walking every path: one path for each distinct
 * sequence of steps (edges whose subgraphs have the same step sequences are walked once), then
 * for every answer at every step not given yet, one path through it (the first way in, and
 * the first way on from there).
 */
function coverDag(root: Node): FlowPath[] {
  const seqSigs = new Map<Node, string>();
  const seqSig = (node: Node): string => {
    let sig = seqSigs.get(node);
    if (sig === undefined) {
      const below = [...new Set(node.edges.map((e) => seqSig(e.child)))].sort();
      sig = hash(`${node.stepId}(${below.join(';')})`);
      seqSigs.set(node, sig);
    }
    return sig;
  };
  const chosen = new Map<string, FlowPath>();
  const covered = new Set<string>();
  const keep = (path: FlowPath, sequence: string) => {
    const fresh = path.answers.map(kindOf).filter((k) => !covered.has(k));
    if (chosen.has(sequence) && fresh.length === 0) return;
    chosen.set(chosen.has(sequence) ? `${sequence}#${chosen.size}` : sequence, path);
    for (const k of fresh) covered.add(k);
  };
  const steps: string[] = [];
  const answers: FlowPath['answers'] = [];
  const walk = (node: Node): void => {
    steps.push(node.stepId);
    if (node.edges.length === 0)
      keep({ steps: [...steps], answers: [...answers], end: node.stepId }, steps.join('>'));
    const followed = new Set<string>();
    for (const edge of node.edges) {
      const sig = seqSig(edge.child);
      if (followed.has(sig)) continue;
      followed.add(sig);
      if (edge.answer) answers.push(edge.answer);
      walk(edge.child);
      if (edge.answer) answers.pop();
    }
    steps.pop();
  };
  walk(root);

  // The first way into each node, for a path through an answer not given yet.
  const into = new Map<Node, { from: Node; edge: Node['edges'][number] } | null>([[root, null]]);
  const order: Node[] = [root];
  for (let i = 0; i < order.length; i++) {
    const node = order[i] as Node;
    for (const edge of node.edges) {
      if (into.has(edge.child)) continue;
      into.set(edge.child, { from: node, edge });
      order.push(edge.child);
    }
  }
  for (const node of order) {
    for (const edge of node.edges) {
      if (!edge.answer || covered.has(kindOf(edge.answer))) continue;
      const prefix: Node['edges'] = [];
      for (let at = into.get(node); at; at = into.get(at.from)) prefix.unshift(at.edge);
      const way = [...prefix, edge];
      for (let at = edge.child; at.edges[0]; at = at.edges[0].child) way.push(at.edges[0]);
      const path = {
        steps: [root.stepId, ...way.map((e) => e.child.stepId)],
        answers: way.flatMap((e) => (e.answer ? [e.answer] : [])),
        end: way.at(-1)?.child.stepId ?? root.stepId,
      };
      keep(path, path.steps.join('>'));
    }
  }
  return [...chosen.values()];
}

const kinds = new WeakMap<object, string>();
function kindOf(answer: { stepId: string; value: FactValue }): string {
  let k = kinds.get(answer);
  if (k === undefined) {
    k = `${answer.stepId}=${answerKind(answer.value)}`;
    kinds.set(answer, k);
  }
  return k;
}

/** Every path, as a list: for small flows and tests; large flows should use pathGraph. */
export function enumeratePaths(flow: CompiledFlow, today: string): FlowPath[] {
  return [...pathGraph(flow, today).paths()];
}

const MAX_DEPTH = 500;

/** Dates and amounts are sampled only to take branches; every other answer is part of the path. */
function answerKind(value: FactValue): string {
  return typeof value === 'number' || /^\d{4}-\d{2}-\d{2}$/.test(String(value))
    ? '#'
    : String(value);
}

/** A stable digest of a node's description: two cyrb53 hashes, 106 bits. */
function hash(text: string): string {
  return `${cyrb53(text, 0)}.${cyrb53(text, 0x9e3779b9)}`;
}

function cyrb53(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * For each step, the facts that can still change what happens from there: those read by the
 * conditions of every step it can reach (and by the escalation), and those the reachable steps
 * set (a known one is skipped).
 */
function relevantFacts(flow: CompiledFlow): Map<string, string[]> {
  const steps = flow.definition.steps;
  const escalation = flow.definition.escalate ? factsRead(flow.definition.escalate.when) : [];
  const own = new Map<string, string[]>();
  for (const [id, step] of Object.entries(steps)) {
    const read = edges(step).flatMap((e) => (e.when ? factsRead(e.when) : []));
    own.set(id, 'fact' in step && step.fact ? [...read, step.fact] : read);
  }
  const out = new Map<string, string[]>();
  for (const id of Object.keys(steps)) {
    const facts = new Set(escalation);
    const seen = new Set<string>();
    const queue = [id];
    for (let at = queue.pop(); at !== undefined; at = queue.pop()) {
      if (seen.has(at)) continue;
      seen.add(at);
      for (const f of own.get(at) ?? []) facts.add(f);
      const step = steps[at];
      if (step) queue.push(...edges(step).map((e) => e.to));
    }
    out.set(id, [...facts].sort());
  }
  return out;
}

/**
 * A smaller set of paths that still walks every distinct sequence of steps and every answer
 * given at every step (each option, yes/no/unsure, a skip): enough to replay every text
 * variant without replaying thousands of paths that differ only in their combination.
 */
export function coveringPaths(paths: Iterable<FlowPath>): FlowPath[] {
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
