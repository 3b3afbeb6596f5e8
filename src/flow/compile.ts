import { assign, setup, type AnyStateMachine } from 'xstate';
import type { FactValue, Facts } from '../shared/types.js';
import { evaluate, type Condition } from './conditions.js';
import { factSetters } from './facts.js';
import { escalationExempt } from './graph.js';
import type { Branch, ChoiceStep, FlowDefinition, Next, Step } from './schema.js';

/** What the machine carries: only the facts. The current step is the state value. */
export interface FlowContext {
  facts: Facts;
}

/**
 * Every event carries `today` (the user's calendar date) because guards such as
 * `daysSinceAtMost` need it and the machine must stay a pure function of its inputs.
 */
export type FlowEvent =
  { type: 'ANSWER'; value: FactValue; today: string } | { type: 'CONTINUE'; today: string };

interface GuardParams {
  option?: string;
  fact?: string;
  condition?: Condition;
}

export interface CompiledFlow {
  readonly definition: FlowDefinition;
  /** Content hash of the flow file; sessions are pinned to it. */
  readonly hash: string;
  readonly machine: AnyStateMachine;
  step(id: string): Step | undefined;
  /** The step that sets each fact, for summaries and for keeping facts across flow changes. */
  readonly factSteps: ReadonlyMap<string, string>;
  /**
   * Where the conversation really goes when it would enter `stepId` with these facts: the
   * flow's `escalate.to` when its condition holds and the step is not exempt (safety first),
   * otherwise `stepId` itself.
   */
  redirect(stepId: string, facts: Facts, today: string): string;
}

export function compileFlow(definition: FlowDefinition, hash: string): CompiledFlow {
  const states = Object.fromEntries(
    Object.entries(definition.steps).map(([id, step]) => [id, compileStep(step)]),
  );
  // Typed as AnyStateMachine on purpose: a machine built at run time makes XState's
  // generic inference explode (TS2589).
  const machine: AnyStateMachine = setup({
    types: {} as { context: FlowContext; events: FlowEvent; input: FlowContext },
    guards: {
      route: ({ context, event }, params: GuardParams) => {
        if (
          params.option !== undefined &&
          (event.type !== 'ANSWER' || event.value !== params.option)
        )
          return false;
        if (!params.condition) return true;
        const facts =
          params.fact && event.type === 'ANSWER'
            ? { ...context.facts, [params.fact]: event.value }
            : context.facts;
        return evaluate(params.condition, facts, event.today);
      },
    },
    actions: {
      setFact: assign(({ context, event }, params: { fact: string }) =>
        event.type === 'ANSWER' ? { facts: { ...context.facts, [params.fact]: event.value } } : {},
      ),
    },
  }).createMachine({
    id: definition.id,
    initial: definition.start,
    context: ({ input }: { input: FlowContext | undefined }) => ({
      facts: { ...(input?.facts ?? {}) },
    }),
    states,
  } as never) as unknown as AnyStateMachine;

  const factSteps = new Map<string, string>();
  for (const { fact, stepId } of factSetters(definition)) {
    // The first step that asks for a fact names it (a later one may ask it again). Interrupt
    // facts belong to no step; the start step stands in, so they survive flow changes.
    if (stepId === undefined) factSteps.set(fact, definition.start);
    else if (!factSteps.has(fact)) factSteps.set(fact, stepId);
  }
  const exempt = escalationExempt(definition);
  const redirect = (stepId: string, facts: Facts, today: string): string => {
    const escalate = definition.escalate;
    if (!escalate || exempt.has(stepId) || !evaluate(escalate.when, facts, today)) return stepId;
    return escalate.to;
  };
  return {
    definition,
    hash,
    machine, // Typed text such as "__proto__" (e.g. `--at __proto__`) must not find Object.prototype.
    step: (id) => (Object.hasOwn(definition.steps, id) ? definition.steps[id] : undefined),
    factSteps,
    redirect,
  };
}

function compileStep(step: Step): Record<string, unknown> {
  switch (step.type) {
    case 'end':
      return { type: 'final' };
    case 'message':
      return { on: { CONTINUE: transitions(step.next, {}) } };
    case 'input':
      return { on: { ANSWER: transitions(step.next, { fact: step.fact }) } };
    case 'choice':
      return { on: { ANSWER: choiceTransitions(step) } };
  }
}

function choiceTransitions(step: ChoiceStep): unknown[] {
  return step.options.flatMap((option) => {
    const next = option.next ?? step.next;
    // The loader guarantees one of them is set.
    return next ? transitions(next, { option: option.id, fact: step.fact }) : [];
  });
}

function transitions(next: Next, base: { option?: string; fact?: string }): unknown[] {
  const branches: Branch[] = typeof next === 'string' ? [{ to: next }] : next;
  return branches.map((branch) => ({
    target: branch.to,
    guard: { type: 'route', params: { ...base, condition: branch.when } },
    actions: base.fact ? [{ type: 'setFact', params: { fact: base.fact } }] : [],
  }));
}

/**
 * Pure: where the flow goes from `stepId` with `facts` on `event`, or undefined when no
 * transition applies (an option the step does not have, an answer to a message step…).
 *
 * This evaluates the flow definition directly, with the same semantics as the XState machine
 * compiled above (the answered fact is set first; the first branch whose condition holds is
 * taken, in the order written; then the escalation redirect), because XState's
 * `resolveState` + `transition` cost about 66 µs a step here, most of a message's time and
 * nearly all of path enumeration's. test/compile.test.ts proves the two agree on every step
 * of the shipped flow for sampled facts and answers. A choice that loops to itself is a
 * transition like any other (XState reported it as "no transition": code review repro C).
 */
export function advance(
  flow: CompiledFlow,
  stepId: string,
  facts: Facts,
  event: FlowEvent,
): { stepId: string; facts: Facts } | undefined {
  const step = flow.step(stepId);
  if (!step || step.type === 'end') return undefined;
  let next: Next | undefined;
  let fact: string | undefined;
  if (step.type === 'message') {
    if (event.type !== 'CONTINUE') return undefined;
    next = step.next;
  } else {
    if (event.type !== 'ANSWER') return undefined;
    if (step.type === 'choice') {
      const option = step.options.find((o) => o.id === event.value);
      if (!option) return undefined;
      next = option.next ?? step.next;
      fact = step.fact;
    } else {
      next = step.next;
      fact = step.fact;
    }
  }
  if (next === undefined) return undefined;
  const after = fact && event.type === 'ANSWER' ? { ...facts, [fact]: event.value } : facts;
  const target =
    typeof next === 'string'
      ? next
      : next.find((b) => !b.when || evaluate(b.when, after, event.today))?.to;
  if (target === undefined) return undefined;
  return { stepId: flow.redirect(target, after, event.today), facts: after };
}

/**
 * The answer a question already has, if it need not be asked: its fact is known (the safety
 * redirect re-walks the intake) and the step is not one that asks again on purpose.
 */
export function knownAnswer(step: Step, facts: Facts): FactValue | undefined {
  if (step.type === 'message' || step.type === 'end' || !step.fact) return undefined;
  if (step.type === 'choice' && step.reask) return undefined;
  return facts[step.fact];
}
