import { LANGS, type Lang } from '../shared/types.js';
import type { FlowDefinition } from './schema.js';

type Tree = { [key: string]: unknown };

/** The locale keys a flow needs (see the convention in docs/authoring-flows.md), without namespace. */
export function requiredFlowKeys(flow: FlowDefinition): string[] {
  const out: string[] = [];
  for (const [stepId, step] of Object.entries(flow.steps)) {
    if (!(step.type === 'message' && step.silent)) out.push(`steps.${stepId}.prompt`);
    if (step.type === 'choice')
      for (const o of step.options) out.push(`steps.${stepId}.options.${o.id}`);
    if ('fact' in step && step.fact) out.push(`facts.${step.fact}`);
  }
  for (const i of flow.interrupts ?? []) {
    out.push(`interrupts.${i.id}.prompt`);
    if (i.confirm) out.push(`interrupts.${i.id}.confirm`, `facts.${i.confirm.fact}`);
    if (i.fact) out.push(`facts.${i.fact}`);
  }
  for (const entry of flow.caseFile ?? []) out.push(`caseFile.${entry.id}`);
  for (const [name, variants] of Object.entries(flow.phrases ?? {}))
    for (const v of variants) out.push(`phrases.${name}.${v.use}`);
  return out;
}

export function missingFlowKeys(
  flow: FlowDefinition,
  resources: Record<string, unknown>,
): Array<{ lang: Lang; key: string }> {
  return LANGS.flatMap((lang) => {
    const ns = (resources[lang] as Tree | undefined)?.[flow.id] as Tree | undefined;
    return requiredFlowKeys(flow)
      .filter((key) => typeof lookup(ns, key) !== 'string')
      .map((key) => ({ lang, key }));
  });
}

function lookup(tree: Tree | undefined, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (node, part) => (node && typeof node === 'object' ? (node as Tree)[part] : undefined),
      tree,
    );
}
