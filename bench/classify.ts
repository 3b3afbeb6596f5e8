/**
 * The classifiers' cost (in `npm run bench`, or alone: `npx tsx bench/classify.ts`): training
 * every model from cold (what a start without dist/flow-cache would pay; a compiled start with
 * it trains none), the p50/p99 of reading one held-out answer (test/corpus/nlu/) at its step
 * with the rules and the classifier, as the chat reads it, and the p99 of all the
 * classification one message meets: its step's model, the scam signal and the commands.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { utterancesOf } from '../src/authoring/nlu-eval.js';
import { createCommandReader } from '../src/core/classify/commands.js';
import { createSignalReader } from '../src/core/classify/signal.js';
import { createStepClassifier } from '../src/core/classify/step-classifier.js';
import { compileFlow } from '../src/flow/compile.js';
import { createUnderstanding } from '../src/core/understand.js';
import type { Runtime } from '../src/runtime.js';

const CORPUS = new URL('../test/corpus/nlu/', import.meta.url).pathname;

export async function classification(runtime: Pick<Runtime, 'flow' | 'translators'>): Promise<{
  trainMs: number;
  readP50Us: number;
  readP99Us: number;
  classifyP99UsPerMessage: number;
}> {
  const names = (await readdir(CORPUS)).filter((f) => f.endsWith('.yaml'));
  const utterances = (
    await Promise.all(
      names.map(async (n) => utterancesOf(parse(await readFile(join(CORPUS, n), 'utf8')))),
    )
  )
    .flat()
    .filter((u) => runtime.flow.step(u.step));
  // Models of its own, trained here from cold whatever the runtime loaded.
  const flow = compileFlow(structuredClone(runtime.flow.definition), 'bench-cold');
  const t0 = performance.now();
  const classifier = createStepClassifier(flow, runtime.translators);
  for (const step of new Set(utterances.map((u) => u.step))) classifier.rank(step, '');
  const signal = (flow.definition.interrupts ?? []).flatMap((i) => {
    const reader = createSignalReader(i, flow.definition);
    return reader ? [reader] : [];
  });
  const commands = createCommandReader(flow);
  for (const reader of signal) reader.p('');
  commands?.rank('');
  const trainMs = performance.now() - t0;
  const perMessage: number[] = [];
  for (let pass = 0; pass < 20; pass++)
    for (const u of utterances) {
      const t = performance.now();
      classifier.rank(u.step, u.text);
      for (const reader of signal) reader.p(u.text);
      commands?.rank(u.text);
      if (pass >= 5) perMessage.push((performance.now() - t) * 1000);
    }
  perMessage.sort((a, b) => a - b);
  const understanding = createUnderstanding(runtime.flow, runtime.translators);
  const times: number[] = [];
  for (let pass = 0; pass < 20; pass++)
    for (const u of utterances) {
      const t = performance.now();
      understanding.answer(u.step, u.text, '2026-11-28');
      if (pass >= 5) times.push((performance.now() - t) * 1000);
    }
  times.sort((a, b) => a - b);
  const at = (p: number) =>
    times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? 0;
  return {
    trainMs: Math.round(trainMs),
    readP50Us: Math.round(at(50)),
    readP99Us: Math.round(at(99)),
    classifyP99UsPerMessage: Math.round(
      perMessage[Math.min(perMessage.length - 1, Math.floor(0.99 * perMessage.length))] ?? 0,
    ),
  };
}

// Run alone (not bundled into npm run bench's run.js, where import.meta.url is run.js's).
if (import.meta.url === `file://${process.argv[1]}` && import.meta.url.endsWith('/classify.ts')) {
  const { createRuntime, DEFAULT_FLOW_FILE, DEFAULT_LOCALES_DIR } =
    await import('../src/runtime.js');
  const { silentLogger } = await import('../src/log.js');
  const { createMemoryStore } = await import('../src/store/memory.js');
  const runtime = await createRuntime({
    flowFile: DEFAULT_FLOW_FILE,
    localesDir: DEFAULT_LOCALES_DIR,
    dataDir: '',
    log: silentLogger,
    store: createMemoryStore(),
  });
  console.log(JSON.stringify(await classification(runtime)));
}
