import type { CompiledFlow } from '../flow/compile.js';
import { createUnderstanding, type Reader } from '../core/understand.js';
import type { Translators } from '../core/ports.js';
import type { FactValue } from '../shared/types.js';
import type { Thresholds } from '../core/classify/thresholds.js';
import { createReportTally, emptyTally } from './eval-tally.js';

/**
 * `npm run flow -- nlu-eval`: how well each reader understands held-out answers, as
 * `rasa test nlu` reports it. An utterance is understood when its intent is read (or, for
 * `none`, when it is asked again), misread when another value is taken, asked again when
 * nothing is. The corpus is split once, by a hash of each utterance, into a dev half (where
 * thresholds are chosen) and a test half (only reported).
 */
export interface Utterance {
  step: string;
  intent: string;
  lang: string;
  text: string;
}

export type Outcome = 'understood' | 'misread' | 'asked';
export interface Tally {
  n: number;
  understood: number;
  misread: number;
  asked: number;
  /** Asked again showing a reading to confirm; and how many of those readings were right. */
  guessed: number;
  guessedRight: number;
}
export interface Confusion {
  step: string;
  expected: string;
  read: string;
  count: number;
  example: string;
}
export interface ReaderReport {
  name: string;
  overall: Tally;
  steps: Map<string, Tally>;
  intents: Map<string, { tp: number; fp: number; fn: number }>;
  confusions: Confusion[];
}

/** The corpus files' shape: step → intent → language → utterances. */
export function utterancesOf(doc: unknown): Utterance[] {
  const out: Utterance[] = [];
  for (const [step, intents] of Object.entries((doc ?? {}) as Record<string, unknown>))
    for (const [intent, langs] of Object.entries((intents ?? {}) as Record<string, unknown>))
      for (const [lang, texts] of Object.entries((langs ?? {}) as Record<string, unknown>))
        for (const text of (texts as unknown[]) ?? [])
          out.push({ step, intent, lang, text: String(text) });
  return out;
}

/** The fixed split: FNV-1a of step and text, even → dev, odd → test. */
export function half(u: Utterance): 'dev' | 'test' {
  let h = 0x811c9dc5;
  for (const ch of `${u.step}\u0000${u.text}`) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193);
  return (h >>> 0) % 2 === 0 ? 'dev' : 'test';
}

const intentOf = (value: FactValue): string =>
  value === true ? 'yes' : value === false ? 'no' : String(value);

export function evaluate(
  flow: CompiledFlow,
  translators: Translators,
  utterances: readonly Utterance[],
  reader: Reader,
  thresholds?: Thresholds,
  today = '2026-11-28',
): ReaderReport {
  const understanding = createUnderstanding(flow, translators, {
    reader,
    ...(thresholds ? { thresholds } : {}),
  });
  const tally = createReportTally(reader);
  for (const u of utterances) {
    const read = understanding.answer(u.step, u.text, today);
    const got = read.ok ? intentOf(read.value) : 'none';
    const guess =
      !read.ok && (read.reason === 'guess' || read.reason === 'guessYesNo')
        ? read.vars?.optionKey?.split('.').at(-1)
        : undefined;
    tally.add(u, got, guess);
  }
  return tally.report();
}

export type StepKind = keyof Thresholds['take'];

/** Which threshold a step's answers are held to. */
export function stepKind(flow: CompiledFlow, stepId: string): StepKind {
  const step = flow.step(stepId);
  if (step?.type !== 'input') return 'choice';
  return step.strict ? 'strict' : 'yesno';
}

/**
 * Per kind of step, on a grid: the `take` threshold whose misreads on `dev`, beyond those
 * the rules make alone, stay at or under `limit` and that understands most (ties: the higher, the safer); then the lowest
 * `ask` threshold below it whose readings shown back are right at least two times in three.
 */
export function chooseThresholds(
  flow: CompiledFlow,
  translators: Translators,
  dev: readonly Utterance[],
  limit = 0.01,
): Thresholds {
  const grid = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99, 1.01];
  const run = (kind: StepKind, take: number, ask: number) => {
    const part = dev.filter((u) => stepKind(flow, u.step) === kind);
    const all = { choice: take, yesno: take, strict: take };
    return evaluate(flow, translators, part, 'combined', {
      take: all,
      ask: { choice: ask, yesno: ask, strict: ask },
    }).overall;
  };
  const take = (kind: StepKind) => {
    // The classifier is held to the misreads it adds: where the rules alone already misread
    // more than `limit` (a yes/no step's 「不是没有」), no threshold could pass otherwise,
    // and the classifier would never be trusted however well it reads.
    const part = dev.filter((u) => stepKind(flow, u.step) === kind);
    const own = evaluate(flow, translators, part, 'rules').overall.misread;
    let best = { t: 1.01, understood: -1 };
    for (const t of grid) {
      const { misread, understood, n } = run(kind, t, t);
      const added = Math.max(0, misread - own);
      if (n > 0 && added / n <= limit && understood > best.understood) best = { t, understood };
    }
    return best.t;
  };
  const ask = (kind: StepKind, above: number) => {
    let best = above;
    for (const t of [...grid].reverse().filter((g) => g < above)) {
      const { guessed, guessedRight } = run(kind, above, t);
      if (guessed > 0 && guessedRight * 3 < guessed * 2) break;
      best = t;
    }
    return best;
  };
  const chosen = { choice: take('choice'), yesno: take('yesno'), strict: take('strict') };
  return {
    take: chosen,
    ask: {
      choice: ask('choice', chosen.choice),
      yesno: ask('yesno', chosen.yesno),
      // A screen's reading is never taken, whatever dev allows: its band is below "never".
      strict: ask('strict', 1.01),
    },
  };
}

/** A reader's tallies summed per kind of step (choice, yes/no, safety screen). */
export function kindTallies(flow: CompiledFlow, report: ReaderReport): Map<StepKind, Tally> {
  const out = new Map<StepKind, Tally>();
  for (const [stepId, t] of report.steps) {
    const kind = stepKind(flow, stepId);
    const sum = out.get(kind) ?? emptyTally();
    out.set(kind, sum);
    for (const key of Object.keys(sum) as Array<keyof Tally>) sum[key] += t[key];
  }
  return out;
}

const pct = (x: number, n: number) =>
  n === 0 ? '   -  ' : `${((100 * x) / n).toFixed(1).padStart(5)}%`;

export function tallyLine(label: string, t: Tally): string {
  return `${label.padEnd(22)} ${String(t.n).padStart(5)}  ${pct(t.understood, t.n)}  ${pct(t.misread, t.n)}  ${pct(t.asked, t.n)}  (${t.guessedRight}/${t.guessed})`;
}

/** The report as `rasa test nlu` would print it: overall, per step, per intent, confusions. */
export function formatReports(reports: readonly ReaderReport[], detailed: ReaderReport): string[] {
  const head = `${''.padEnd(22)} ${'n'.padStart(5)}  understood misread  asked again (of which shown a reading: right/all)`;
  const lines = [head, ...reports.map((r) => tallyLine(r.name, r.overall)), ''];
  lines.push(
    `per step: understood / misread / asked again, ${reports.map((r) => r.name).join(' | ')}`,
  );
  for (const step of [...detailed.steps.keys()].sort()) {
    const cells = reports.map((r) => {
      const t = r.steps.get(step) ?? emptyTally();
      return `${pct(t.understood, t.n)} ${pct(t.misread, t.n)} ${pct(t.asked, t.n)}`;
    });
    lines.push(
      `${step.padEnd(16)} ${String(detailed.steps.get(step)?.n ?? 0).padStart(4)}  ${cells.join(' | ')}`,
    );
  }
  lines.push('', `per intent (${detailed.name}):  precision  recall  f1  support`);
  for (const [key, { tp, fp, fn }] of [...detailed.intents].sort()) {
    if (tp + fn === 0) continue;
    const p = tp + fp === 0 ? 0 : tp / (tp + fp);
    const r = tp / (tp + fn);
    const f1 = p + r === 0 ? 0 : (2 * p * r) / (p + r);
    lines.push(
      `  ${key.padEnd(34)} ${p.toFixed(2)}  ${r.toFixed(2)}  ${f1.toFixed(2)}  ${tp + fn}`,
    );
  }
  lines.push('', `confusions (${detailed.name}; expected → read, "none" = asked again):`);
  for (const c of detailed.confusions.slice(0, 40))
    lines.push(`  ${c.step}: ${c.expected} → ${c.read} ×${c.count}  e.g. 「${c.example}」`);
  return lines;
}
