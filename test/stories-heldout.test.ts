import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createUnderstanding, type Understanding } from '../src/core/understand.js';
import { loadKit, ROOT, type Kit } from './helpers.js';
import {
  measureCorrections,
  measureStories,
  recognised,
  type Correction,
  type Story,
} from './heldout-measure.js';

/**
 * The first held-out set, test/corpus/stories/stories.yaml and intents/corrections.yaml
 * (written by another helper, blind to the understanding code), measured blind in earlier
 * rounds and a dev set since 2026-12-04 (tuned on; the second set, stories-heldout-2, is
 * not): held here so a change cannot make them worse.
 */
let kit: Kit;
let understanding: Understanding;
let stories: Story[];
beforeAll(async () => {
  kit = await loadKit();
  understanding = createUnderstanding(kit.flow, kit.translators);
  const file = resolve(ROOT, 'test/corpus/stories/stories.yaml');
  stories = parse(await readFile(file, 'utf8')) as Story[];
});

describe('held-out opening stories (test/corpus/stories/stories.yaml)', () => {
  it('facts taken hold, and no misread with legal weight', () => {
    const m = measureStories(kit, understanding, stories);
    console.log(
      `held-out stories: ${stories.length} · facts taken ${m.taken}/${m.stated} (${((100 * m.taken) / m.stated).toFixed(1)}%)` +
        ` · of those a story may give ${m.takenAskable}/${m.askable} (${((100 * m.takenAskable) / m.askable).toFixed(1)}%)` +
        ` · wrong ${m.wrong.length} (legal weight ${m.wrongLegal.length})`,
    );
    if (m.wrong.length > 0) console.log(m.wrong.join('\n'));
    expect(stories.length).toBeGreaterThanOrEqual(60);
    // None: a misread with legal weight goes into the texts for the police.
    const unknown = m.wrongLegal.filter(
      (line) => !KNOWN_LEGAL_MISREADS.some((k) => line.startsWith(k)),
    );
    expect(unknown, unknown.join('\n')).toEqual([]);
    expect(m.wrong.length, m.wrong.join('\n')).toBeLessThanOrEqual(WRONG_AT_MOST);
    expect(m.takenAskable / m.askable).toBeGreaterThanOrEqual(TAKEN_AT_LEAST);
  });

  it('scam stories are recognised from the story itself; honest ones are not alarmed', () => {
    const scams = stories.filter((s) => s.expectScam);
    const honest = stories.filter((s) => !s.expectScam);
    const missed = scams.filter((s) => !recognised(kit, s)).map((s) => s.text);
    const alarmed = honest.filter((s) => recognised(kit, s)).map((s) => s.text);
    console.log(
      `held-out scam stories recognised ${scams.length - missed.length}/${scams.length}; honest ones flagged ${alarmed.length}/${honest.length}`,
    );
    expect(scams.length - missed.length, missed.join('\n')).toBeGreaterThanOrEqual(SCAMS_AT_LEAST);
    expect(alarmed.length, alarmed.join('\n')).toBeLessThanOrEqual(FLAGGED_AT_MOST);
  });
});

// The figures reached when measured (docs/architecture.md); a change may only improve them.
const TAKEN_AT_LEAST = 0.72;
const WRONG_AT_MOST = 3;
const SCAMS_AT_LEAST = 26;
// 「说被骗也谈不上 …」: flagged by the scam signal model (issue 21, deliverable 4).
const FLAGGED_AT_MOST = 1;
// Each legal-weight misread found when measured is fixed (issue 21, deliverable 3: 三千出头,
// 收费三千, money sent to the user, 「两笔 … 都是520」; 「多输了个零 付了200」 is now labelled):
// any new one fails here.
const KNOWN_LEGAL_MISREADS: string[] = [];

describe('held-out corrections (test/corpus/intents/corrections.yaml)', () => {
  it('a correction changes the fact it names, and nothing else; a non-correction changes nothing', async () => {
    const file = resolve(ROOT, 'test/corpus/intents/corrections.yaml');
    const data = parse(await readFile(file, 'utf8')) as Record<
      string,
      Record<string, Array<Correction | string>>
    >;
    const { withValue, right, valueless, nones, wrong } = measureCorrections(
      understanding,
      data,
      '2026-11-29',
    );
    console.log(
      `held-out corrections: ${withValue} with a value · changed right ${right} (${((100 * right) / withValue).toFixed(1)}%)` +
        ` · ${valueless} without a value · ${nones} none · wrong ${wrong.length}`,
    );
    if (wrong.length > 0) console.log(wrong.join('\n'));
    expect(right / withValue).toBeGreaterThanOrEqual(CORRECTIONS_RIGHT_AT_LEAST);
    expect(wrong.length, wrong.join('\n')).toBeLessThanOrEqual(CORRECTIONS_WRONG_AT_MOST);
  });
});

// 58 of 170 when measured blind; 56 after the accuracy round added answer examples, which
// the correction-form model takes as its "not a correction" side (measured, not tuned back);
// 58 and none wrong once the dev set was tuned on (2026-12-04: the amount meant, the name
// "not shown" said without correcting).
const CORRECTIONS_RIGHT_AT_LEAST = 0.53;
const CORRECTIONS_WRONG_AT_MOST = 0;
