import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryBank, trainingKey, type ModelBank } from '../../core/classify/bank.js';
import { trainRanker } from '../../core/classify/index.js';
import type { SavedModel } from '../../core/classify/model.js';
import { trainingSets } from '../../core/classify/step-classifier.js';
import type { Translators } from '../../core/ports.js';
import type { CompiledFlow } from '../../flow/compile.js';

/** Set by scripts/build.mjs to a hash of the source; absent when run from src/ (tsx, tests). */
declare const ZHUIHUI_BUILD_ID: string | undefined;
const BUILD = typeof ZHUIHUI_BUILD_ID === 'string' ? ZHUIHUI_BUILD_ID : undefined;

/** Where a compiled build keeps its models: beside the cached flows, wiped by the next build. */
export const BUILD_MODEL_DIR = BUILD ? join(import.meta.dirname, 'flow-cache') : undefined;

/**
 * The classifier models of every flow, trained once per content and kept: one file per model,
 * `model-<hash of its examples and the model's version>.json`, as flow-cache.ts keeps the
 * parsed flow. A start finds every file and trains nothing; a changed example is a new key,
 * and only that model trains (then is written for the next start). Reading or writing never
 * fails a start: a torn or missing file just means training it now. Without `dir` (src/,
 * tests) nothing is read or written and each model trains on first use, as before.
 */
export async function loadModelBank(
  flows: readonly CompiledFlow[],
  translators: Translators,
  dir: string | undefined = BUILD_MODEL_DIR,
): Promise<{ bank: ModelBank | undefined; trained: string[] }> {
  if (!dir) return { bank: undefined, trained: [] };
  const bank = memoryBank();
  const trained: string[] = [];
  for (const flow of flows)
    for (const { name, pairs, set } of trainingSets(flow, translators)) {
      const key = trainingKey(pairs, set);
      if (bank.get(key)) continue;
      const file = join(dir, `model-${key}.json`);
      const kept = await readFile(file, 'utf8').then(decode, () => undefined);
      if (kept) {
        bank.add(key, kept);
        continue;
      }
      trainRanker(pairs, bank, set);
      trained.push(`${flow.definition.id}: ${name}`);
      const model = bank.get(key);
      if (model) await store(file, encode(model)).catch(() => undefined);
    }
  return { bank, trained };
}

/** The weights as the bytes of their doubles, base64: exact, a third of JSON numbers' size. */
function encode(model: SavedModel): string {
  const { labels, vocab, weights } = model;
  const bytes = Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength);
  return JSON.stringify({ labels, vocab, weights: bytes.toString('base64') });
}

function decode(json: string): SavedModel | undefined {
  try {
    const o = JSON.parse(json) as { labels: string[]; vocab: string[]; weights: string };
    const bytes = Buffer.from(o.weights, 'base64');
    // Copied into a buffer of its own: a Float64Array needs its offset aligned to 8.
    const weights = new Float64Array(bytes.byteLength / 8);
    new Uint8Array(weights.buffer).set(bytes);
    if (weights.length !== (o.vocab.length + 1) * o.labels.length) return undefined;
    return { labels: o.labels, vocab: o.vocab, weights };
  } catch {
    return undefined;
  }
}

/** Whole or not at all: a temp file renamed into place, so a reader never sees half. */
async function store(file: string, json: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, json);
  await rename(temp, file);
}
