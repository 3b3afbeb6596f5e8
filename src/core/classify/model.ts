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
}

export interface TrainOptions {
  epochs?: number;
  rate?: number;
  /** L2 penalty per step on the weights touched. */
  l2?: number;
  seed?: number;
}

export function train(
  labels: readonly string[],
  samples: readonly Sample[],
  o: TrainOptions = {},
): Model {
  const { epochs = 20, rate = 0.5, l2 = 1e-4, seed = 21 } = o;
  const vocab = new Map<string, number>();
  const rows = samples.map((s) => ({
    label: s.label,
    ids: [...new Set(s.features)].map((f) => {
      let id = vocab.get(f);
      if (id === undefined) vocab.set(f, (id = vocab.size));
      return id;
    }),
  }));
  const k = labels.length;
  // Row vocab.size holds the bias of each label.
  const size = (vocab.size + 1) * k;
  const w = new Float64Array(size);
  // AdaGrad: a rare feature (most n-grams) keeps a large step, a common one settles.
  const g2 = new Float64Array(size);
  const random = mulberry32(seed);
  const order = rows.map((_, i) => i);
  const p = new Float64Array(k);
  const bias = vocab.size;
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order, random);
    for (const index of order) {
      const row = rows[index]!;
      const ids = [...row.ids, bias];
      const scale = 1 / Math.sqrt(row.ids.length || 1);
      scores(w, ids, scale, bias, k, p);
      for (const id of ids) {
        const x = id === bias ? 1 : scale;
        for (let c = 0; c < k; c++) {
          const at = id * k + c;
          const grad = (p[c]! - (c === row.label ? 1 : 0)) * x + l2 * w[at]!;
          g2[at] = g2[at]! + grad * grad;
          w[at] = w[at]! - (rate * grad) / (Math.sqrt(g2[at]!) + 1e-8);
        }
      }
    }
  }
  return {
    labels,
    predict(features) {
      const ids: number[] = [];
      for (const f of new Set(features)) {
        const id = vocab.get(f);
        if (id !== undefined) ids.push(id);
      }
      const out = new Float64Array(k);
      const scale = 1 / Math.sqrt(new Set(features).size || 1);
      ids.push(bias);
      scores(w, ids, scale, bias, k, out);
      return out;
    },
  };
}

/** Softmax of the summed weights of `ids` into `out`. */
function scores(
  w: Float64Array,
  ids: readonly number[],
  scale: number,
  bias: number,
  k: number,
  out: Float64Array,
): void {
  out.fill(0);
  for (const id of ids) {
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
