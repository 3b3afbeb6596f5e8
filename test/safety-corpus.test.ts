import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import type { Session } from '../src/core/session.js';
import type { Lang } from '../src/shared/types.js';
import { loadKit, ROOT, type Kit } from './helpers.js';

/**
 * Safety by structure, over a corpus written by an author who never saw the flow's rules
 * (test/corpus/safety/): scams told the ways victims tell them (a negation first, "not really
 * a scam", typos, dialect, a third party) and honest stories full of false-alarm bait. Each
 * person answers the screen questions in their own words first, then, when asked again, with
 * the plain truth. Whatever the words, a scam reaches its plan, an honest story never does,
 * and a recipient is never accused of what someone else did.
 */
interface Item {
  id: string;
  lang: Lang;
  text: string;
  category: string;
  kind?: string;
  direction: 'paid' | 'received';
  actor?: 'recipient' | 'third-party' | 'unsure';
  screen: Array<'asked' | 'offer' | 'promise'>;
  forms?: string[];
  answers: { asked: string; offer: string; promise: string };
  facts?: { amount?: number };
}

const NOW = new Date('2026-11-28T04:00:00Z');
let kit: Kit;
let scams: Item[];
let honest: Item[];
beforeAll(async () => {
  kit = await loadKit();
  const read = async (name: string) =>
    parse(await readFile(resolve(ROOT, 'test/corpus/safety', name), 'utf8')) as Item[];
  scams = await read('scam.yaml');
  honest = await read('honest.yaml');
});

const SCREEN: Record<string, 'asked' | 'offer' | 'promise'> = {
  'urgent-check': 'asked',
  'screen-offer': 'offer',
  'screen-promise': 'promise',
};
const KIND_OPTION: Record<string, string> = {
  'reward-code': '1',
  'receipt-code': '2',
  transfer: '4',
  'red-packet': '5',
  'live-gift': '6',
  merchant: '7',
};
const SITUATION_OPTION: Record<string, string> = {
  'wrong-recipient': '2',
  'wrong-amount': '3',
  duplicate: '4',
  minor: '5',
  elderly: '6',
  loan: '7',
  spouse: '8',
  'not-delivered': '9',
  regret: '10',
};
const plain = (lang: Lang, yes: boolean) =>
  lang === 'en' ? (yes ? 'yes' : 'no') : yes ? '是' : '不是';

/** What this person answers at this step (`again`: the bot asked the same thing again). */
function answer(item: Item, session: Session, again: boolean, scam: boolean): string {
  const { lang } = item;
  const en = lang === 'en';
  if (session.confirming) return plain(lang, scam);
  const screen = SCREEN[session.stepId];
  if (screen) return again ? plain(lang, item.screen.includes(screen)) : item.answers[screen];
  switch (session.stepId) {
    case 'payment-kind':
    case 'check-bill':
      if (item.direction === 'received') return '8';
      if (item.category === 'transfer-pending') return '3';
      return KIND_OPTION[item.kind ?? ''] ?? '9';
    case 'scam-actor':
      return item.actor === 'third-party' ? '2' : item.actor === 'unsure' ? '3' : '1';
    case 'what-happened': {
      if (!scam) return SITUATION_OPTION[item.category] ?? '11';
      // A scam that came after an honest payment: the payment itself was a mistake.
      if (item.actor === 'third-party' && !item.screen.includes('promise')) return '2';
      // Victims who do not call it a scam choose something else: the screen decides.
      const denies = item.forms?.some((f) => f === 'not-a-scam' || f === 'negation-first');
      return denies ? '10' : '1';
    }
    case 'red-packet-opened':
      return item.category === 'red-packet' ? '3' : '1';
    case 'ask-amount':
      return item.facts?.amount ? String(item.facts.amount) : en ? 'skip' : '跳过';
    case 'ask-date':
    case 'ask-last-date':
    case 'ask-intended':
    case 'ask-recipient':
      return en ? 'skip' : '跳过';
    case 'ask-can-reach':
      return plain(lang, !scam);
    case 'c-age':
    case 'c-account':
    case 's-purpose':
      return '1';
    default:
      // Deception checks, several payments, a platform, capacity: the truthful answer.
      return plain(lang, false);
  }
}

interface Walk {
  end: string;
  said: string;
  confirmations: number;
  reasked: number;
}

function walk(item: Item, scam: boolean): Walk {
  const handle = (s: Session | undefined, text: string) =>
    kit.engine.handle(s, { userId: item.id, text, lang: item.lang }, NOW);
  let out = handle(undefined, item.text);
  let said = repliesText(out.replies);
  let confirmations = 0;
  let reasked = 0;
  let previous = '';
  for (let turn = 0; turn < 40; turn++) {
    const session = out.session;
    if (!session || kit.flow.step(session.stepId)?.type === 'end') break;
    const again = session.stepId === previous && !session.confirming;
    if (again) reasked++;
    if (session.confirming) confirmations++;
    previous = session.stepId;
    out = handle(session, answer(item, session, again, scam));
    said += `\n${repliesText(out.replies)}`;
  }
  return { end: out.session?.stepId ?? '(erased)', said, confirmations, reasked };
}

const ALARM = { 'zh-CN': '请先停一下，这很可能是诈骗', en: 'this is very likely a scam' };
const ACCUSED = { 'zh-CN': '很可能是被骗的钱', en: 'was very likely taken by a scam' };
const SECOND_WAVE = { 'zh-CN': '那是两件事，分开处理', en: 'these are two different things' };

describe('safety over a corpus written without the rules', () => {
  it('has at least 300 scams and 300 honest stories, in both languages', () => {
    expect(scams.length).toBeGreaterThanOrEqual(300);
    expect(honest.length).toBeGreaterThanOrEqual(300);
    for (const set of [scams, honest])
      expect(new Set(set.map((i) => i.lang))).toEqual(new Set(['zh-CN', 'en']));
  });

  it('every scam reaches its plan: 110 first, the right actor named', () => {
    const wrong: string[] = [];
    for (const item of scams) {
      const got = walk(item, true);
      const ok =
        item.direction === 'received'
          ? got.end === 'end-received'
          : item.actor === 'third-party' && !item.screen.includes('promise')
            ? got.end !== 'end-scam' &&
              got.said.includes(SECOND_WAVE[item.lang]) &&
              got.said.includes(ALARM[item.lang]) &&
              !got.said.includes(ACCUSED[item.lang])
            : got.end === 'end-scam' && got.said.includes('110');
      if (!ok) wrong.push(`${item.id} → ${got.end}: ${item.text.slice(0, 60)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('no honest story reaches the scam plan, the alarm or an accusation', () => {
    const wrong: string[] = [];
    for (const item of honest) {
      if (item.direction === 'received') continue;
      const got = walk(item, false);
      if (
        got.end === 'end-scam' ||
        got.said.includes(ALARM[item.lang]) ||
        got.said.includes(ACCUSED[item.lang])
      )
        wrong.push(`${item.id} → ${got.end}: ${item.text.slice(0, 60)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('a false alarm costs a question, not a plan: few honest stories are asked to confirm', () => {
    const walks = honest.filter((i) => i.direction === 'paid').map((i) => walk(i, false));
    const confirmed = walks.filter((w) => w.confirmations > 0).length;
    // Measured, not assumed: the share of honest stories that got one confirmation question.
    expect(confirmed / walks.length).toBeLessThan(0.25);
    expect(walks.every((w) => w.confirmations <= 2)).toBe(true);
  });
});
