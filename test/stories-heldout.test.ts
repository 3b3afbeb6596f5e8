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
 * The held-out opening stories and corrections, written by other authors blind to the
 * understanding code, each set with the figures reached when measured (docs/architecture.md):
 * a change may only improve them.
 */
interface HeldOut {
  name: string;
  stories: string;
  /** A set may come without corrections of its own. */
  corrections?: string;
  /** "Today" for the corrections (each story carries its own). */
  today: string;
  floors: {
    stories: number;
    takenAtLeast: number;
    wrongAtMost: number;
    legalWrongAtMost: number;
    scamsAtLeast: number;
    flaggedAtMost: number;
    correctionsRightAtLeast: number;
    correctionsWrongAtMost: number;
  };
}

const SETS: HeldOut[] = [
  {
    // Measured blind in earlier rounds; a dev set since 2026-12-04 (tuned on). Its five
    // legal-weight misreads were fixed then (三千出头, 收费三千, money sent to the user,
    // 「两笔 … 都是520」; 「多输了个零 付了200」 is now labelled): any new one fails.
    // 「说被骗也谈不上 …」 is the one honest story the signal model flags. Corrections: 58 of
    // 170 blind, 91 and none wrong once tuned on; 141 and none wrong after the corrections
    // round of 2026-12-04 (10 of the 170 can never count: their value is the one known).
    // 170 blind, 91 and none wrong once tuned on. Scams 26/35 by the warning alone; 28 since
    // a deception check's "yes" read from the story counts (heldout-measure.ts recognised);
    // 31 with the signal's fourth-round examples (docs/architecture.md).
    // Stories, issue 21 round of 2026-12-04 (duplicates, listed payments, dates of later
    // events, a child named by age): 221/305, 3 wrong → 238/305, 0 wrong.
    name: 'first set (dev since 2026-12-04)',
    stories: 'stories/stories.yaml',
    corrections: 'intents/corrections.yaml',
    today: '2026-11-29',
    floors: {
      stories: 60,
      takenAtLeast: 0.78,
      wrongAtMost: 0,
      legalWrongAtMost: 0,
      scamsAtLeast: 31,
      flaggedAtMost: 1,
      correctionsRightAtLeast: 0.82,
      correctionsWrongAtMost: 0,
    },
  },
  {
    // Written blind on 2026-12-04, never trained or tuned on. Before the day's branches were
    // merged: 137/289 askable facts, 24 wrong (8 legal weight), scams 31/35, honest flagged
    // 3/53, corrections 26/77 right, 3 wrong. After (the floors): 145/289, 21 wrong (11 legal
    // weight, listed in docs/architecture.md for a further round), 31/35, 3/53, 40/77, 7.
    // Its corrections are a dev set since 2026-12-04 03:40 (tuned on): 40/77 right, 7 wrong
    // before → 61/77, none wrong after (6 of the 77 can never count: their value is known).
    // A dev set since 2026-12-04: the signal's fourth round, 32/35 and 2/53; 144/289 facts
    // (was 145): 「我老婆 … 被一个理财群的人说动了」 is now read as a signal, so its honest
    // `situation: spouse` is asked rather than taken (story-signal.ts), by design.
    // Stories: four of several payments all on one named day relabelled with paidOn, as the
    // flow reads it (289 → 293 askable); 145/289, 21 wrong (11 legal) before → 199/293, 2
    // wrong, none with legal weight after (the floors).
    name: 'second set (dev since 2026-12-04 03:40)',
    stories: 'stories/stories-2.yaml',
    corrections: 'intents/corrections-2.yaml',
    today: '2026-12-04',
    floors: {
      stories: 80,
      takenAtLeast: 0.689,
      wrongAtMost: 2,
      legalWrongAtMost: 0,
      scamsAtLeast: 32,
      flaggedAtMost: 2,
      correctionsRightAtLeast: 0.79,
      correctionsWrongAtMost: 0,
    },
  },
  {
    // Written blind on 2026-12-04 (stories and corrections, "today" a Wednesday), never
    // trained or tuned on. On main before the round's branches were merged (the floors):
    // 139/310 askable facts (44.8%), 35 wrong (24 legal weight), scams 34/38, honest flagged
    // 6/52, corrections 43/81 right, 5 wrong. With the corrections round merged, blind: 54/81
    // right, 7 wrong; its wrong ones were then read and two classes fixed (a name in quotes,
    // 'the "customer service" guy says'): 59/81, 1 wrong (an age, 「她75了」, read as the
    // amount: fixed after), so the corrections are seen since.
    // The signal round merged (blind): facts 138/310 (one honest situation now asked beside a
    // signal, as story-signal.ts means), scams 34/38, honest flagged 6 -> 4. The story-facts
    // round merged too (blind): 148/310 (47.7%), 28 wrong (20 legal weight). A dev set from
    // then: nine several-payment stories relabelled with the first payment's date (as ask-date
    // asks), and the classes of its legal-weight misreads fixed: 163/319 (51.1%), 7 wrong, none
    // with legal weight.
    name: 'third set (dev since 2026-12-04 05:10)',
    stories: 'stories/stories-3.yaml',
    corrections: 'intents/corrections-3.yaml',
    today: '2026-12-09',
    floors: {
      stories: 90,
      takenAtLeast: 0.51,
      wrongAtMost: 7,
      legalWrongAtMost: 0,
      scamsAtLeast: 34,
      flaggedAtMost: 4,
      correctionsRightAtLeast: 0.728,
      correctionsWrongAtMost: 0,
    },
  },
  {
    // Written blind on 2026-12-04 ("today" a Monday), after the third set; stories only (its
    // corrections are the third set's). Measured on main with the corrections and engine
    // rounds merged, before the story-facts and signal rounds (the floors): 124/278 askable
    // facts (44.6%), 19 wrong (11 legal weight), scams 29/34, honest flagged 5/46. The
    // signal round merged (blind): 124/278, 17 wrong (11 legal), scams 31/34, flagged 3/46.
    // The story-facts round merged too (blind): 133/278 (47.8%), 11 wrong (7 legal weight).
    // The third set's classes fixed (blind still): 136/278 (48.9%), 10 wrong (6 legal).
    name: 'fourth set (held out)',
    stories: 'stories/stories-4.yaml',
    today: '2026-12-14',
    floors: {
      stories: 80,
      takenAtLeast: 0.489,
      wrongAtMost: 10,
      legalWrongAtMost: 6,
      scamsAtLeast: 31,
      flaggedAtMost: 3,
      correctionsRightAtLeast: 0,
      correctionsWrongAtMost: 0,
    },
  },
];

let kit: Kit;
let understanding: Understanding;
beforeAll(async () => {
  kit = await loadKit();
  understanding = createUnderstanding(kit.flow, kit.translators);
});

const corpus = async (file: string) =>
  parse(await readFile(resolve(ROOT, 'test/corpus', file), 'utf8')) as unknown;
const pct = (x: number, n: number) => `${((100 * x) / n).toFixed(1)}%`;

describe.each(SETS)('held-out $name', (set) => {
  const { floors } = set;

  it('opening stories: facts taken, and the misreads with legal weight', async () => {
    const stories = (await corpus(set.stories)) as Story[];
    const m = measureStories(kit, understanding, stories);
    console.log(
      `${set.name}: ${stories.length} stories · facts taken ${m.taken}/${m.stated} (${pct(m.taken, m.stated)})` +
        ` · of those a story may give ${m.takenAskable}/${m.askable} (${pct(m.takenAskable, m.askable)})` +
        ` · wrong ${m.wrong.length} (legal weight ${m.wrongLegal.length})`,
    );
    if (m.wrong.length > 0) console.log(m.wrong.join('\n'));
    expect(stories.length).toBeGreaterThanOrEqual(floors.stories);
    expect(m.wrongLegal.length, m.wrongLegal.join('\n')).toBeLessThanOrEqual(
      floors.legalWrongAtMost,
    );
    expect(m.wrong.length, m.wrong.join('\n')).toBeLessThanOrEqual(floors.wrongAtMost);
    expect(m.takenAskable / m.askable).toBeGreaterThanOrEqual(floors.takenAtLeast);
  });

  it('scam stories recognised from the story itself; honest ones not alarmed', async () => {
    const stories = (await corpus(set.stories)) as Story[];
    const scams = stories.filter((s) => s.expectScam);
    const honest = stories.filter((s) => !s.expectScam);
    const missed = scams.filter((s) => !recognised(kit, s)).map((s) => s.text);
    const alarmed = honest.filter((s) => recognised(kit, s)).map((s) => s.text);
    console.log(
      `${set.name}: scams recognised ${scams.length - missed.length}/${scams.length}; honest flagged ${alarmed.length}/${honest.length}`,
    );
    expect(scams.length - missed.length, missed.join('\n')).toBeGreaterThanOrEqual(
      floors.scamsAtLeast,
    );
    expect(alarmed.length, alarmed.join('\n')).toBeLessThanOrEqual(floors.flaggedAtMost);
  });

  const { corrections } = set;
  if (corrections)
    it('a correction changes the fact it names, and nothing else; a non-correction nothing', async () => {
      const data = (await corpus(corrections)) as Record<
        string,
        Record<string, Array<Correction | string>>
      >;
      const m = measureCorrections(understanding, data, set.today);
      console.log(
        `${set.name}: corrections ${m.withValue} with a value · changed right ${m.right} (${pct(m.right, m.withValue)})` +
          ` · ${m.valueless} without a value · ${m.nones} none · wrong ${m.wrong.length}`,
      );
      if (m.wrong.length > 0) console.log(m.wrong.join('\n'));
      expect(m.right / m.withValue).toBeGreaterThanOrEqual(floors.correctionsRightAtLeast);
      expect(m.wrong.length, m.wrong.join('\n')).toBeLessThanOrEqual(floors.correctionsWrongAtMost);
    });
});
