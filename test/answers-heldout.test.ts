import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { evaluate, stepKind, utterancesOf, type Utterance } from '../src/authoring/nlu-eval.js';
import { createUnderstanding } from '../src/core/understand.js';
import { loadKit, ROOT, type Kit } from './helpers.js';

/**
 * The sets of single answers in `test/corpus/nlu-heldout/` (950 answers each to 21
 * questions), written blind on 2026-12-04 and measured whole by `flow nlu-eval`: the figures
 * reached are floors, and at a safety screen no "yes" or "not sure" is read as "no".
 */
const SETS = [
  {
    // Blind on main: combined 68.3% understood / 6.4% misread. Its misreads were then read and
    // classes of the yes/no and choice rules fixed (Cantonese "don't know", questions back, a
    // yes word then the story, a doubt choosing "not sure"), and the nlu round merged: 78.1% /
    // 3.1%. A dev set since.
    file: 'answers-3.yaml',
    understoodAtLeast: 0.78,
    misreadAtMost: 0.031,
  },
  {
    // Never read: 75.3% / 6.3% on 48b38af (two screen answers meaning yes or not sure read as
    // no), 81.4% / 4.1% with the round merged.
    file: 'answers-4.yaml',
    understoodAtLeast: 0.813,
    misreadAtMost: 0.042,
  },
];

let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});
const answersOf = async (file: string): Promise<Utterance[]> =>
  utterancesOf(
    parse(await readFile(resolve(ROOT, 'test/corpus/nlu-heldout', file), 'utf8')),
  ).filter((u) => kit.flow.step(u.step));

describe.each(SETS)('held-out single answers, $file', (set) => {
  it('understood and misread by the reader in use stay at what was reached', async () => {
    const answers = await answersOf(set.file);
    expect(answers.length).toBe(950);
    const { overall } = evaluate(kit.flow, kit.translators, answers, 'combined');
    console.log(
      `${set.file} combined: understood ${overall.understood}/${overall.n}, misread ${overall.misread}`,
    );
    expect(overall.understood / overall.n).toBeGreaterThanOrEqual(set.understoodAtLeast);
    expect(overall.misread / overall.n).toBeLessThanOrEqual(set.misreadAtMost);
  });

  it('at a safety screen, no "yes" or "not sure" answer is read as "no"', async () => {
    const understanding = createUnderstanding(kit.flow, kit.translators);
    const screens = (await answersOf(set.file)).filter(
      (u) =>
        stepKind(kit.flow, u.step) === 'strict' && (u.intent === 'yes' || u.intent === 'unsure'),
    );
    expect(screens.length).toBeGreaterThan(100);
    const readAsNo = screens
      .filter((u) => {
        const read = understanding.answer(u.step, u.text, '2026-12-09');
        return read.ok && read.value === false;
      })
      .map((u) => `${u.step}: ${u.text}`);
    expect(readAsNo).toEqual([]);
  });
});
