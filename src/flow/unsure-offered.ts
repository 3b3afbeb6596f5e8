import type { FlowDefinition, Step } from './schema.js';

/**
 * Whether a yes/no question offers "not sure": the flow routes its fact's `unsure` somewhere
 * (a `next`, the `escalate` or any other condition names it), or the step teaches "not sure"
 * examples, or it is a safety screen. Where it does not (「是一笔还是几笔？」, "can you still
 * reach them?"), "不知道" is no answer the flow can use: stored as `unsure` it silently took
 * the branch of "no". Measured on the dev half of `npm run flow -- nlu-eval`: 4 of the 10
 * misreads of the non-screen answers were a "don't know" taken as `unsure` where the question
 * offers only yes or no (「不记得」, "dunno" at c-platform, 「不太确定」 at ask-several); those
 * steps have no `unsure` intent, so the classifier never read one — the rules did.
 */
const offered = new WeakMap<FlowDefinition, Set<string>>();

export function offersUnsure(definition: FlowDefinition, step: Step): boolean {
  if (step.type !== 'input' || step.input !== 'yesno') return false;
  if (step.strict || step.examples?.unsure) return true;
  let facts = offered.get(definition);
  if (!facts) offered.set(definition, (facts = factsWithUnsure(definition)));
  return facts.has(step.fact);
}

/** The facts some condition of the flow compares with `unsure` (factEquals, factIn). */
function factsWithUnsure(definition: FlowDefinition): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const eq = o.factEquals as { fact?: string; value?: unknown } | undefined;
    const among = o.factIn as { fact?: string; values?: unknown[] } | undefined;
    if (eq?.fact && eq.value === 'unsure') out.add(eq.fact);
    if (among?.fact && among.values?.includes('unsure')) out.add(among.fact);
    Object.values(o).forEach(walk);
  };
  walk(definition);
  return out;
}
