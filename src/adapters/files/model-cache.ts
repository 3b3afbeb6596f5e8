import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trainingKey, type ModelBank } from '../../core/classify/bank.js';
import { trainRanker } from '../../core/classify/index.js';
import type { SavedModel } from '../../core/classify/model.js';
import { allTrainingSets } from '../../core/training-sets.js';
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
 * parsed flow. A start checks that every file is there and trains only a missing one (then
 * writes it for the next start); a model's file is read when the model is first used, so a
 * start reads none of the 27 (about 5 MB) and a story read first costs a file read, not a
 * training. A torn or unreadable file never fails anything: that model trains on first use.
 * Without `dir` (src/, tests) nothing is read or written and each model trains on first use.
 */
export async function loadModelBank(
  flows: readonly CompiledFlow[],
  translators: Translators,
  dir: string | undefined = BUILD_MODEL_DIR,
): Promise<{ bank: ModelBank | undefined; trained: string[] }> {
  if (!dir) return { bank: undefined, trained: [] };
  const bank = fileBank(dir);
  const trained: string[] = [];
  const seen = new Set<string>();
  for (const flow of flows)
    for (const { name, pairs, set } of allTrainingSets(flow, translators)) {
      const key = trainingKey(pairs, set);
      if (seen.has(key)) continue;
      seen.add(key);
      const file = fileOf(dir, key);
      if (existsSync(file)) continue;
      trainRanker(pairs, bank, set);
      trained.push(`${flow.definition.id}: ${name}`);
      const model = bank.get(key);
      if (model) await store(file, encode(model)).catch(() => undefined);
    }
  return { bank, trained };
}

const fileOf = (dir: string, key: string) => join(dir, `model-${key}.json`);

/**
 * Models in memory, each read from its file on first use. Read synchronously because the
 * understanding (src/core) is: once per model and process, a few milliseconds.
 */
function fileBank(dir: string): ModelBank {
  const models = new Map<string, SavedModel | undefined>();
  return {
    get(key) {
      if (!models.has(key)) {
        let kept: SavedModel | undefined;
        try {
          kept = decode(readFileSync(fileOf(dir, key), 'utf8'));
        } catch {
          kept = undefined;
        }
        models.set(key, kept);
      }
      return models.get(key);
    },
    add: (key, model) => void models.set(key, model),
  };
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
