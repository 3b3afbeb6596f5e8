import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { evaluate, stepKind, utterancesOf, type Utterance } from '../src/authoring/nlu-eval.js';
import { createUnderstanding } from '../src/core/understand.js';
import { loadKit, ROOT, type Kit } from './helpers.js';

/**
 * The third set of single answers (`test/corpus/nlu-heldout/answers-3.yaml`, 950 answers to
 * 21 questions), written blind on 2026-12-04 and measured whole by `flow nlu-eval`: the
 * figures reached are floors, and at a safety screen no "yes" or "not sure" is read as "no".
 * Blind on main: combined 68.3% understood / 6.4% misread. Its misreads were then read, and
 * three classes fixed in the yes/no rules (Cantonese "don't know", questions back, a yes word
 * then the story): 72.5% / 3.7%. From then on it is a dev set; a fourth set is held out.
 */
let kit: Kit;
let answers: Utterance[];
beforeAll(async () => {
  kit = await loadKit();
  const text = await readFile(resolve(ROOT, 'test/corpus/nlu-heldout/answers-3.yaml'), 'utf8');
  answers = utterancesOf(parse(text)).filter((u) => kit.flow.step(u.step));
});

describe('held-out single answers, third set', () => {
  it('understood and misread by the reader in use stay at what was reached', () => {
    expect(answers.length).toBe(950);
    const { overall } = evaluate(kit.flow, kit.translators, answers, 'combined');
    const rate = (n: number) => n / overall.n;
    console.log(
      `answers-3 combined: understood ${overall.understood}/${overall.n}, misread ${overall.misread}`,
    );
    expect(rate(overall.understood)).toBeGreaterThanOrEqual(0.78);
    // 29/950 after the merge of nlu-1204b: check-bill reads by payment-kind's examples now, and
    // "says received transfer +300" is taken as an accepted transfer (main: 28).
    expect(rate(overall.misread)).toBeLessThanOrEqual(0.031);
  });

  it('at a safety screen, no "yes" or "not sure" answer is read as "no"', () => {
    const understanding = createUnderstanding(kit.flow, kit.translators);
    const screens = answers.filter(
      (u) =>
        stepKind(kit.flow, u.step) === 'strict' && (u.intent === 'yes' || u.intent === 'unsure'),
    );
    expect(screens.length).toBe(140);
    const readAsNo = screens
      .filter((u) => {
        const read = understanding.answer(u.step, u.text, '2026-12-09');
        return read.ok && read.value === false;
      })
      .map((u) => `${u.step}: ${u.text}`);
    expect(readAsNo).toEqual([]);
  });
});
