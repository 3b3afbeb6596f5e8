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
 * The second held-out set (test/corpus/stories/stories-2.yaml, intents/corrections-2.yaml),
 * written blind on 2026-12-04 by an independent author and never used to train or tune:
 * measured once before the day's changes were merged and once after; the floors below are
 * the figures after, so a change can only make them better.
 */
let kit: Kit;
let understanding: Understanding;
let stories: Story[];
beforeAll(async () => {
  kit = await loadKit();
  understanding = createUnderstanding(kit.flow, kit.translators);
  stories = parse(
    await readFile(resolve(ROOT, 'test/corpus/stories/stories-2.yaml'), 'utf8'),
  ) as Story[];
});

describe('second held-out set: opening stories', () => {
  it('facts taken, and the misreads with legal weight', () => {
    const m = measureStories(kit, understanding, stories);
    console.log(
      `held-out stories 2: ${stories.length} · facts taken ${m.taken}/${m.stated} (${((100 * m.taken) / m.stated).toFixed(1)}%)` +
        ` · of those a story may give ${m.takenAskable}/${m.askable} (${((100 * m.takenAskable) / m.askable).toFixed(1)}%)` +
        ` · wrong ${m.wrong.length} (legal weight ${m.wrongLegal.length})`,
    );
    if (m.wrong.length > 0) console.log(m.wrong.join('\n'));
    expect(stories.length).toBeGreaterThanOrEqual(80);
    expect(m.wrongLegal.length, m.wrongLegal.join('\n')).toBeLessThanOrEqual(LEGAL_WRONG_AT_MOST);
    expect(m.wrong.length, m.wrong.join('\n')).toBeLessThanOrEqual(WRONG_AT_MOST);
    expect(m.takenAskable / m.askable).toBeGreaterThanOrEqual(TAKEN_AT_LEAST);
  });

  it('scam stories recognised from the story itself; honest ones alarmed', () => {
    const scams = stories.filter((s) => s.expectScam);
    const honest = stories.filter((s) => !s.expectScam);
    const missed = scams.filter((s) => !recognised(kit, s)).map((s) => s.text);
    const alarmed = honest.filter((s) => recognised(kit, s)).map((s) => s.text);
    console.log(
      `held-out stories 2: scams recognised ${scams.length - missed.length}/${scams.length}; honest flagged ${alarmed.length}/${honest.length}`,
    );
    if (missed.length > 0) console.log(`missed:\n${missed.join('\n')}`);
    if (alarmed.length > 0) console.log(`flagged:\n${alarmed.join('\n')}`);
    expect(scams.length - missed.length, missed.join('\n')).toBeGreaterThanOrEqual(SCAMS_AT_LEAST);
    expect(alarmed.length, alarmed.join('\n')).toBeLessThanOrEqual(FLAGGED_AT_MOST);
  });
});

describe('second held-out set: corrections', () => {
  it('a correction changes the fact it names, and nothing else', async () => {
    const file = resolve(ROOT, 'test/corpus/intents/corrections-2.yaml');
    const data = parse(await readFile(file, 'utf8')) as Record<
      string,
      Record<string, Array<Correction | string>>
    >;
    const m = measureCorrections(understanding, data, '2026-12-04');
    console.log(
      `held-out corrections 2: ${m.withValue} with a value · changed right ${m.right} (${((100 * m.right) / m.withValue).toFixed(1)}%)` +
        ` · ${m.valueless} without a value · ${m.nones} none · wrong ${m.wrong.length}`,
    );
    if (m.wrong.length > 0) console.log(m.wrong.join('\n'));
    expect(m.right / m.withValue).toBeGreaterThanOrEqual(CORRECTIONS_RIGHT_AT_LEAST);
    expect(m.wrong.length, m.wrong.join('\n')).toBeLessThanOrEqual(CORRECTIONS_WRONG_AT_MOST);
  });
});

// Measured (not tuned): see docs/architecture.md, "second held-out set". Before the day's
// branches were merged: 137/289 askable facts, 24 wrong (8 legal weight), scams 31/35,
// honest flagged 3/53, corrections 26/77 right, 3 wrong. After: 145/289, 21 wrong (11 legal
// weight: listed in docs/architecture.md, to fix with a fresh set), scams 31/35, flagged 3/53,
// corrections 40/77, 7 wrong. The floors are the figures after: a change may only improve them.
const TAKEN_AT_LEAST = 0.5;
const WRONG_AT_MOST = 21;
const LEGAL_WRONG_AT_MOST = 11;
const SCAMS_AT_LEAST = 31;
const FLAGGED_AT_MOST = 3;
const CORRECTIONS_RIGHT_AT_LEAST = 0.51;
const CORRECTIONS_WRONG_AT_MOST = 7;
