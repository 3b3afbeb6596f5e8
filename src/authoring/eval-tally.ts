import type { Confusion, Outcome, ReaderReport, Tally, Utterance } from './nlu-eval.js';

export const emptyTally = (): Tally => ({
  n: 0,
  understood: 0,
  misread: 0,
  asked: 0,
  guessed: 0,
  guessedRight: 0,
});

/**
 * Readings counted into one report, as `rasa test nlu` counts them: overall and per step
 * (understood, misread, asked again, readings shown back), per intent (tp/fp/fn) and the
 * confusions with an example. Shared by the step answers and the commands/signal evaluations,
 * so both reports mean the same thing by each number.
 */
export function createReportTally(name: string) {
  const report: ReaderReport = {
    name,
    overall: emptyTally(),
    steps: new Map(),
    intents: new Map(),
    confusions: [],
  };
  const confusions = new Map<string, Confusion>();
  const intent = (key: string) => {
    let hit = report.intents.get(key);
    if (!hit) report.intents.set(key, (hit = { tp: 0, fp: 0, fn: 0 }));
    return hit;
  };
  return {
    /** `got`: the intent read ('none' when asked again); `guess`: a reading shown back. */
    add(u: Utterance, got: string, guess?: string): void {
      const outcome: Outcome =
        got === u.intent ? 'understood' : got === 'none' ? 'asked' : 'misread';
      let step = report.steps.get(u.step);
      if (!step) report.steps.set(u.step, (step = emptyTally()));
      for (const t of [report.overall, step]) {
        t.n++;
        t[outcome]++;
        if (guess !== undefined) t.guessed++;
        if (guess === u.intent) t.guessedRight++;
      }
      if (got === u.intent) {
        intent(`${u.step}:${u.intent}`).tp++;
        return;
      }
      intent(`${u.step}:${u.intent}`).fn++;
      intent(`${u.step}:${got}`).fp++;
      const key = `${u.step}\u0000${u.intent}\u0000${got}`;
      const c = confusions.get(key);
      if (c) c.count++;
      else
        confusions.set(key, {
          step: u.step,
          expected: u.intent,
          read: got,
          count: 1,
          example: u.text,
        });
    },
    report(): ReaderReport {
      report.confusions = [...confusions.values()].sort((a, b) => b.count - a.count);
      return report;
    },
  };
}
