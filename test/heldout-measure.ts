import { parseMessage } from '../src/authoring/parse.js';
import type { Understanding } from '../src/core/understand.js';
import type { FactValue } from '../src/shared/types.js';
import { evaluate } from '../src/flow/conditions.js';
import { chat, type Kit } from './helpers.js';

/**
 * How the held-out corpora are measured (test/stories-heldout.test.ts): the same counts for
 * every set, so the figures of one set and the next compare.
 */
export interface Story {
  lang: 'zh-CN' | 'en';
  text: string;
  today: string;
  facts: Record<string, FactValue>;
  expectScam: boolean;
}

// Facts with legal weight: they go into the texts for the police and the deadlines.
export const LEGAL = new Set(['amount', 'intendedAmount', 'paidOn', 'lastPaidOn']);
// Asked by steps that are never answered from a story (`story: false`): not counted as taken.
export const NEVER_FROM_STORY = new Set([
  'paymentKind',
  'beingPressed',
  'refundOffer',
  'promisedReturn',
  'packetOpened',
  'lastPaidOn',
  'recipient',
]);

export function measureStories(kit: Kit, understanding: Understanding, stories: Story[]) {
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

/**
 * Whether the first message alone raises the scam warning or states a scam fact: a fact the
 * flow's `escalate` takes to the safe plan (`situation: scam`, and as much a deception
 * check's "yes" read from the story, 「被一个卖保健品的劝着」 for an elder's payment: the
 * plan is the scam plan from then on, whatever the screens say).
 */
export function recognised(kit: Kit, story: Story): boolean {
  const c = chat(kit.engine, { lang: story.lang, now: new Date(`${story.today}T04:00:00Z`) });
  c.say(story.text);
  const facts = c.session?.facts ?? {};
  const escalate = kit.flow.definition.escalate;
  return facts.scamSignal === true || (!!escalate && evaluate(escalate.when, facts, story.today));
}

export interface Correction {
  text: string;
  corrects: string;
  value?: FactValue;
}

// What is known when a correction comes (a later step): chosen before reading the first
// held-out file, the values most stories have. A correction to the value already known
// changes nothing.
export const KNOWN = {
  situation: 'wrong-recipient',
  paymentKind: 'receipt-code',
  paidOn: '2026-11-20',
  amount: 500,
  intendedAmount: 5,
  recipient: '小王',
} as const;

/** Corrections file (fact → language → entries; `none`: plain strings) against KNOWN. */
export function measureCorrections(
  understanding: Understanding,
  data: Record<string, Record<string, Array<Correction | string>>>,
  today: string,
) {
  let withValue = 0;
  let right = 0;
  let valueless = 0;
  let nones = 0;
  const wrong: string[] = [];
  for (const [group, byLang] of Object.entries(data))
    for (const entries of Object.values(byLang))
      for (const entry of entries) {
        const c: Correction = typeof entry === 'string' ? { text: entry, corrects: '' } : entry;
        const got = understanding.correct(c.text, today, { ...KNOWN });
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
  return { withValue, right, valueless, nones, wrong };
}
