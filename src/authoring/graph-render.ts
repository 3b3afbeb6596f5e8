import { keys } from '../core/render.js';
import { describeCondition } from '../flow/conditions.js';
import type { FlowDefinition, Next, Step } from '../flow/schema.js';
import type { Translator } from '../i18n/index.js';

export const GRAPH_FORMATS = ['svg', 'mermaid', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

interface Edge {
  from: string;
  to: string;
  label: string;
}

const PROMPT_CHARS = 44;
const LINE_CHARS = 18;

/** The start of a step's words in two short lines, so boxes stay narrow. */
function caption(flow: FlowDefinition, id: string, t: Translator, newline = '\n'): string {
  // A silent step only routes: it has no words to show, only its id and its ways out.
  const step = flow.steps[id];
  if (step?.type === 'message' && step.silent) return '';
  const text = t(keys.prompt(flow.id, id))
    .replace(/\$t\([^)]*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const short = text.length > PROMPT_CHARS ? `${text.slice(0, PROMPT_CHARS)}…` : text;
  // Chinese can break anywhere; other text breaks at the last space that fits.
  const space = /\p{Script=Han}/u.test(short) ? -1 : short.lastIndexOf(' ', LINE_CHARS + 8);
  const cut = space > 0 ? space : LINE_CHARS;
  return [short.slice(0, cut).trim(), short.slice(cut).trim()].filter(Boolean).join(newline);
}

function edgesOf(flow: FlowDefinition, id: string, step: Step, t: Translator): Edge[] {
  const fromNext = (next: Next | undefined, prefix: string): Edge[] => {
    if (next === undefined) return [];
    if (typeof next === 'string') return [{ from: id, to: next, label: prefix }];
    return next.map((b, i) => ({
      from: id,
      to: b.to,
      label: [
        prefix,
        b.when ? describeCondition(b.when) : next.length > 1 || i > 0 ? 'otherwise' : '',
      ]
        .filter(Boolean)
        .join(': '),
    }));
  };
  if (step.type === 'end') return [];
  if (step.type !== 'choice') return fromNext(step.next, '');
  return step.options.flatMap((o, i) =>
    fromNext(o.next ?? step.next, `${i + 1}. ${t(keys.option(flow.id, id, o.id))}`),
  );
}

export function toDot(flow: FlowDefinition, t: Translator): string {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = [
    `digraph ${q(flow.id)} {`,
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="sans-serif", fontsize=10];',
    '  edge [fontname="sans-serif", fontsize=9];',
  ];
  for (const [id, step] of Object.entries(flow.steps)) {
    const style =
      step.type === 'end'
        ? ', fillcolor="#d4edda", penwidth=2'
        : step.type === 'message'
          ? ', shape=note, fillcolor="#f6f6f6"'
          : step.type === 'input'
            ? ', fillcolor="#e8f0fe"'
            : ', fillcolor="#fff4d6"';
    lines.push(`  ${q(id)} [label=${q(`${id}\n${caption(flow, id, t)}`)}${style}];`);
  }
  for (const [id, step] of Object.entries(flow.steps)) {
    for (const e of edgesOf(flow, id, step, t))
      lines.push(`  ${q(e.from)} -> ${q(e.to)}${e.label ? ` [label=${q(e.label)}]` : ''};`);
  }
  for (const i of flow.interrupts ?? []) {
    const node = `interrupt:${i.id}`;
    const words = t(`${flow.id}:interrupts.${i.id}.prompt`).slice(0, PROMPT_CHARS);
    lines.push(
      `  ${q(node)} [label=${q(`⚠ ${i.id} (any step)\n${words}…`)}, fillcolor="#f8d7da", color="#c0392b", penwidth=2];`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function toMermaid(flow: FlowDefinition, t: Translator): string {
  const id = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_');
  const text = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;
  const lines = ['flowchart TD'];
  for (const [stepId, step] of Object.entries(flow.steps)) {
    const label = text(`${stepId}<br/>${caption(flow, stepId, t, '<br/>')}`);
    lines.push(
      step.type === 'end' ? `  ${id(stepId)}([${label}]):::end` : `  ${id(stepId)}[${label}]`,
    );
  }
  for (const [stepId, step] of Object.entries(flow.steps)) {
    for (const e of edgesOf(flow, stepId, step, t)) {
      lines.push(`  ${id(e.from)} -->${e.label ? `|${text(e.label)}|` : ''} ${id(e.to)}`);
    }
  }
  for (const i of flow.interrupts ?? [])
    lines.push(`  ${id(`interrupt_${i.id}`)}{{${text(`⚠ ${i.id} (any step)`)}}}:::interrupt`);
  lines.push('  classDef end fill:#d4edda,stroke:#2e7d32,stroke-width:2px');
  lines.push('  classDef interrupt fill:#f8d7da,stroke:#c0392b,stroke-width:2px');
  return `${lines.join('\n')}\n`;
}
