/**
 * The classifier's cost (`npx tsx bench/classify.ts`; not yet in `npm run bench`): training
 * every step's model from cold, and the p50/p99 of reading one held-out answer
 * (test/corpus/nlu/) at its step with the rules and the classifier, as the chat reads it.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { utterancesOf } from '../src/authoring/nlu-eval.js';
import { createStepClassifier } from '../src/core/classify/step-classifier.js';
import { createUnderstanding } from '../src/core/understand.js';
import type { Runtime } from '../src/runtime.js';

const CORPUS = new URL('../test/corpus/nlu/', import.meta.url).pathname;

export async function classification(
  runtime: Pick<Runtime, 'flow' | 'translators'>,
): Promise<{ trainMs: number; readP50Us: number; readP99Us: number }> {
  const names = (await readdir(CORPUS)).filter((f) => f.endsWith('.yaml'));
  const utterances = (
    await Promise.all(
      names.map(async (n) => utterancesOf(parse(await readFile(join(CORPUS, n), 'utf8')))),
    )
  )
    .flat()
    .filter((u) => runtime.flow.step(u.step));
  const t0 = performance.now();
  const classifier = createStepClassifier(runtime.flow, runtime.translators);
  for (const step of new Set(utterances.map((u) => u.step))) classifier.rank(step, '');
  const trainMs = performance.now() - t0;
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
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
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
