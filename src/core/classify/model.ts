/**
 * Multinomial logistic regression over sparse binary features, trained by AdaGrad on one
 * example at a time, in a fixed order drawn from a seeded generator: the same examples
 * always give the same model, and the same message the same reading. Small on purpose: a
 * step has a few hundred examples and a dozen intents, so training takes milliseconds and a
 * reading is a few hundred multiply-adds.
 */
export interface Sample {
  features: readonly string[];
  label: number;
}

export interface Model {
  labels: readonly string[];
  /** Probabilities per label, in the order of `labels`. */
  predict(features: readonly string[]): Float64Array;
  /** What the model is, to be kept and loaded again unchanged (fromSaved). */
  saved(): SavedModel;
}

/** A trained model as data: its labels, its features in order, and every weight exactly. */
export interface SavedModel {
  labels: readonly string[];
  /** Feature i's weights are `weights[i * k … i * k + k)`; the biases follow the last. */
  vocab: readonly string[];
  weights: Float64Array;
}

export interface TrainOptions {
  epochs?: number;
  rate?: number;
  /** L2 penalty per step on the weights touched. */
  l2?: number;
  seed?: number;
  /**
   * Train this many times, with seeds `seed`, `seed + 1`, …, and keep the mean of the weights
   * (every run has the same features in the same order, so the weights line up). One run's
   * order of examples is a draw: adding a few examples reshuffles it, and a held-out figure
   * moved by that draw alone (the signal's honest look-alikes flagged: 26.5% to 32.7% over
   * eight seeds). The mean of nine is a model of the examples, not of one order
   * (docs/architecture.md). Reading costs the same: one set of weights.
   */
  runs?: number;
}

export function train(
  labels: readonly string[],
  samples: readonly Sample[],
  o: TrainOptions = {},
): Model {
  const { epochs = 12, rate = 0.5, l2 = 1e-4, seed = 21, runs = 1 } = o;
  const vocab = new Map<string, number>();
  const rows = samples.map((s) =>
    [...new Set(s.features)].map((f) => vocab.get(f) ?? vocab.set(f, vocab.size).size - 1),
  );
  const k = labels.length;
  // Row vocab.size holds the bias of each label; each sample's ids end with it.
  const bias = vocab.size;
  const ids = rows.map((row) => Int32Array.from([...row, bias]));
  const scales = rows.map((row) => 1 / Math.sqrt(row.length || 1));
  const size = (vocab.size + 1) * k;
  const mean = new Float64Array(size);
  for (let run = 0; run < runs; run++) {
    const w = descend(ids, scales, samples, bias, k, size, { epochs, rate, l2, seed: seed + run });
    for (let i = 0; i < size; i++) mean[i] = mean[i]! + w[i]! / runs;
  }
  return ready(labels, vocab, mean);
}

/** One run of AdaGrad over the examples, in the order drawn from `seed`. */
function descend(
  ids: readonly Int32Array[],
  scales: readonly number[],
  samples: readonly Sample[],
  bias: number,
  k: number,
  size: number,
  o: Required<Omit<TrainOptions, 'runs'>>,
): Float64Array {
  const { epochs, rate, l2, seed } = o;
  const w = new Float64Array(size);
  // AdaGrad: a rare feature (most n-grams) keeps a large step, a common one settles.
  const g2 = new Float64Array(size);
  const random = mulberry32(seed);
  const order = ids.map((_, i) => i);
  const p = new Float64Array(k);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order, random);
    for (const index of order) {
      const row = ids[index]!;
      const scale = scales[index]!;
      const label = samples[index]!.label;
      scores(w, row, scale, bias, k, p);
      for (let j = 0; j < row.length; j++) {
        const id = row[j]!;
        const x = id === bias ? 1 : scale;
        const base = id * k;
        for (let c = 0; c < k; c++) {
          const at = base + c;
          const grad = (p[c]! - (c === label ? 1 : 0)) * x + l2 * w[at]!;
          g2[at] = g2[at]! + grad * grad;
          w[at] = w[at]! - (rate * grad) / (Math.sqrt(g2[at]!) + 1e-8);
        }
      }
    }
  }
  return w;
}

/** A saved model as it was trained: the same weights give the same readings. */
export function fromSaved(saved: SavedModel): Model {
  const vocab = new Map(saved.vocab.map((f, i) => [f, i]));
  if ((vocab.size + 1) * saved.labels.length !== saved.weights.length)
    throw new Error('a saved model whose weights do not fit its features');
  return ready(saved.labels, vocab, saved.weights);
}

function ready(labels: readonly string[], vocab: Map<string, number>, w: Float64Array): Model {
  const k = labels.length;
  const bias = vocab.size;
  return {
    labels,
    predict(features) {
      const distinct = new Set(features);
      const found: number[] = [];
      for (const f of distinct) {
        const id = vocab.get(f);
        if (id !== undefined) found.push(id);
      }
      found.push(bias);
      const out = new Float64Array(k);
      scores(w, found, 1 / Math.sqrt(distinct.size || 1), bias, k, out);
      return out;
    },
    saved: () => ({ labels, vocab: [...vocab.keys()], weights: w }),
  };
}

/** Softmax of the summed weights of `ids` into `out`. */
function scores(
  w: Float64Array,
  ids: ArrayLike<number>,
  scale: number,
  bias: number,
  k: number,
  out: Float64Array,
): void {
  out.fill(0);
  for (let j = 0; j < ids.length; j++) {
    const id = ids[j]!;
    const x = id === bias ? 1 : scale;
    for (let c = 0; c < k; c++) out[c] = out[c]! + w[id * k + c]! * x;
  }
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, out[c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += out[c] = Math.exp(out[c]! - max);
  for (let c = 0; c < k; c++) out[c] = out[c]! / sum;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(a: number[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}
