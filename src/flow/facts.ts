import type { Path } from './path.js';
import type { FlowDefinition } from './schema.js';

/** One place a flow sets a fact: a step's answer, an interrupt firing, or its confirmation. */
export interface FactSetter {
  fact: string;
  /** The step whose answer sets it; absent for an interrupt, which can fire at any step. */
  stepId?: string;
  /** Where the setter is written in the flow (its `fact:` field). */
  path: Path;
}

/**
 * Which step (or interrupt) sets each fact, in the order written: the one statement of it
 * that the loader (a fact read must be set somewhere), the compiler (the step that names a
 * fact), the word convention (facts.<fact>) and the lint all use.
 */
export function factSetters(flow: FlowDefinition): FactSetter[] {
  const out: FactSetter[] = [];
  for (const [stepId, step] of Object.entries(flow.steps))
    if ('fact' in step && step.fact)
      out.push({ fact: step.fact, stepId, path: ['steps', stepId, 'fact'] });
  (flow.interrupts ?? []).forEach((i, n) => {
    if (i.fact) out.push({ fact: i.fact, path: ['interrupts', n, 'fact'] });
    if (i.confirm) out.push({ fact: i.confirm.fact, path: ['interrupts', n, 'confirm', 'fact'] });
  });
  return out;
}

/** Every fact some step or interrupt sets. */
export function factsSet(flow: FlowDefinition): Set<string> {
  return new Set(factSetters(flow).map((s) => s.fact));
}
