import type { FeatureSet } from './features.js';
import type { SavedModel } from './model.js';

/**
 * Where trained models are kept, by the hash of what they were trained on (trainingKey): a
 * model is a pure function of its examples and this code, so a model kept for a key is the
 * one training would give again. The runtime fills one from dist/flow-cache
 * (adapters/files/model-cache.ts) so a start does not train; without one, each model trains
 * on first use.
 */
export interface ModelBank {
  get(key: string): SavedModel | undefined;
  /** A model trained because the bank had none for its key. */
  add(key: string, model: SavedModel): void;
}

/** Raised when the model's features or training change, so no older model is taken. */
const MODEL_VERSION = 'ngram-lr-2-negation';

/**
 * A hash of the examples (in order), the features the model sees and the model's version:
 * the key a model is kept by.
 */
export function trainingKey(
  pairs: ReadonlyArray<readonly [string, string]>,
  set: FeatureSet = 'plain',
): string {
  let text = `${MODEL_VERSION}\u0000${set}`;
  for (const [example, intent] of pairs) text += `\u0000${intent}\u0001${example}`;
  return `${hash(text, 1)}${hash(text, 2)}`;
}

/** cyrb53 (public domain): two seeds give a 106-bit key, hex; no node:crypto in src/core. */
function hash(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** A bank in memory (tests; a start that found no cache file fills one and writes it). */
export function memoryBank(models = new Map<string, SavedModel>()): ModelBank & {
  models: Map<string, SavedModel>;
} {
  return { models, get: (key) => models.get(key), add: (key, model) => models.set(key, model) };
}
