import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseMessage } from '../src/authoring/parse.js';
import { createUnderstanding, type Understanding } from '../src/core/understand.js';
import type { FactValue } from '../src/shared/types.js';
import { chat, loadKit, ROOT, type Kit } from './helpers.js';

/**
 * The held-out opening stories of test/corpus/stories/stories.yaml (written by another
 * helper, blind to the understanding code; never used to train or tune): measured once at
 * the end of issue 21's story work, and held here so a change cannot make them worse.
 */
interface Story {
  lang: 'zh-CN' | 'en';
  text: string;
  today: string;
  facts: Record<string, FactValue>;
  expectScam: boolean;
}

// Facts with legal weight: they go into the texts for the police and the deadlines.
const LEGAL = new Set(['amount', 'intendedAmount', 'paidOn', 'lastPaidOn']);
// Asked by steps that are never answered from a story (`story: false`): not counted as taken.
const NEVER_FROM_STORY = new Set([
  'paymentKind',
  'beingPressed',
  'refundOffer',
  'promisedReturn',
  'packetOpened',
  'lastPaidOn',
  'recipient',
]);

let kit: Kit;
let understanding: Understanding;
let stories: Story[];
beforeAll(async () => {
  kit = await loadKit();
  understanding = createUnderstanding(kit.flow, kit.translators);
  const file = resolve(ROOT, 'test/corpus/stories/stories.yaml');
  stories = parse(await readFile(file, 'utf8')) as Story[];
});

function measure() {
  let stated = 0;
  let taken = 0;
  let askable = 0;
  let takenAskable = 0;
  const wrong: string[] = [];
  const wrongLegal: string[] = [];
  for (const story of stories) {
    const { facts } = parseMessage(kit.flow, understanding, undefined, story.text, story.today);
    for (const [fact, value] of Object.entries(story.facts)) {
      stated++;
      const hit = facts[fact] === value;
      if (hit) taken++;
      if (!NEVER_FROM_STORY.has(fact)) {
        askable++;
        if (hit) takenAskable++;
      }
    }
    for (const [fact, value] of Object.entries(facts)) {
      if (story.facts[fact] === value) continue;
      const line = `${story.text}: ${fact} = ${JSON.stringify(value)} (stated: ${JSON.stringify(story.facts[fact] ?? 'nothing')})`;
      wrong.push(line);
      if (LEGAL.has(fact)) wrongLegal.push(line);
    }
  }
  return { stated, taken, askable, takenAskable, wrong, wrongLegal };
}

/** Whether the first message alone raises the scam warning or states a scam fact. */
function recognised(story: Story): boolean {
  const c = chat(kit.engine, {
    lang: story.lang,
    now: new Date(`${story.today}T04:00:00Z`),
  });
  c.say(story.text);
  const facts = c.session?.facts ?? {};
  return facts.scamSignal === true || facts.situation === 'scam';
}

describe('held-out opening stories (test/corpus/stories/stories.yaml)', () => {
  it('facts taken hold, and no misread with legal weight', () => {
    const m = measure();
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
    const missed = scams.filter((s) => !recognised(s)).map((s) => s.text);
    const alarmed = honest.filter(recognised).map((s) => s.text);
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

interface Correction {
  text: string;
  corrects: string;
  value?: FactValue;
}

// What is known when a correction comes (a later step): chosen before reading the held-out
// file, the values most stories have. A correction to the value already known changes nothing.
const KNOWN = {
  situation: 'wrong-recipient',
  paymentKind: 'receipt-code',
  paidOn: '2026-11-20',
  amount: 500,
  intendedAmount: 5,
  recipient: '小王',
} as const;

describe('held-out corrections (test/corpus/intents/corrections.yaml)', () => {
  it('a correction changes the fact it names, and nothing else; a non-correction changes nothing', async () => {
    const file = resolve(ROOT, 'test/corpus/intents/corrections.yaml');
    const data = parse(await readFile(file, 'utf8')) as Record<
      string,
      Record<string, Array<Correction | string>>
    >;
    let withValue = 0;
    let right = 0;
    let valueless = 0;
    let nones = 0;
    const wrong: string[] = [];
    for (const [group, byLang] of Object.entries(data))
      for (const entries of Object.values(byLang))
        for (const entry of entries) {
          const c: Correction = typeof entry === 'string' ? { text: entry, corrects: '' } : entry;
          const got = understanding.correct(c.text, '2026-11-29', { ...KNOWN });
          const others = Object.keys(got).filter((f) => f !== c.corrects);
          if (group === 'none') nones++;
          else if (c.value === undefined) valueless++;
          else withValue++;
          if (group !== 'none' && c.value !== undefined && got[c.corrects] === c.value) right++;
          const badValue =
            got[c.corrects] !== undefined && c.value !== undefined && got[c.corrects] !== c.value;
          if (
            others.length > 0 ||
            badValue ||
            (c.value === undefined && got[c.corrects] !== undefined)
          )
            wrong.push(
              `${c.text}: ${JSON.stringify(got)} (corrects ${c.corrects || 'nothing'} → ${JSON.stringify(c.value ?? 'asked again')})`,
            );
        }
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
