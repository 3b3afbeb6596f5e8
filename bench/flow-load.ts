/**
 * Loading a large flow: a chain of n message steps behind a yes/no screen, parsed, checked and
 * compiled from its text (what `flow check` and start-up do, without the disk). The loader was
 * quadratic (red-team m39: 4,000 steps took 7 s); twice the steps should take about twice the
 * time. BENCH_FLOW_STEPS=1000,4000 sets the sizes.
 */
import { performance } from 'node:perf_hooks';
import { compileFlow } from '../src/flow/compile.js';
import { parseFlow } from '../src/flow/load.js';

const SIZES = (process.env.BENCH_FLOW_STEPS ?? '1000,4000,16000').split(',').map(Number);

function chainText(n: number): string {
  const t = '{ zh-CN: 好的, en: ok }';
  const lines = [
    'id: chain',
    'start: s0',
    'facts:',
    `  danger: ${t}`,
    'escalate:',
    '  when: { factEquals: { fact: danger, value: true } }',
    '  to: s0',
    '  intake: [s0]',
    '  end: safe',
    'steps:',
    `  s0: { type: input, input: yesno, fact: danger, text: ${t}, next: s1 }`,
  ];
  for (let i = 1; i < n; i++)
    lines.push(`  s${i}: { type: message, text: ${t}, next: ${i + 1 < n ? `s${i + 1}` : 'done'} }`);
  lines.push(`  done: { type: end, text: ${t} }`, `  safe: { type: end, text: ${t} }`, '');
  return lines.join('\n');
}

export async function flowLoadBench(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const n of SIZES) {
    const text = chainText(n);
    compileFlow(parseFlow(text, 'chain.yaml'), 'warm-up');
    const t0 = performance.now();
    compileFlow(parseFlow(text, 'chain.yaml'), 'bench');
    out[`steps${n}Ms`] = Math.round(performance.now() - t0);
  }
  console.log(`flow load: ${JSON.stringify(out)}`);
  return Promise.resolve(out);
}
