import fc from 'fast-check';
import { beforeAll, inject, describe, expect, it } from 'vitest';
import { repliesText, type Reply } from '../src/core/replies.js';
import { typedAnswer } from '../src/authoring/replay.js';
import type { Session } from '../src/core/session.js';
import type { FactValue, Lang } from '../src/shared/types.js';
import { evaluate } from '../src/flow/conditions.js';
import { pathGraph, type FlowPath, type PathGraph } from '../src/flow/paths.js';
import { loadKit, type Kit } from './helpers.js';

/**
 * Safety by structure, as properties over every path of the flow: the screen's answers decide
 * the plan (whatever words come with them), 110 comes first, every text for the other side
 * carries the backstop line, and a scam by someone who came after an honest payment never
 * makes the recipient the accused.
 */
const NOW = new Date('2026-11-28T04:00:00Z');
const TODAY = '2026-11-28';
let kit: Kit;
let graph: PathGraph;
let covering: FlowPath[];
beforeAll(async () => {
  kit = await loadKit();
  graph = pathGraph(kit.flow, TODAY);
  covering = inject('coveringPaths');
});

const SCREEN = ['urgent-check', 'screen-offer', 'screen-promise'];
const ALARM_VALUES: FactValue[] = [true, 'unsure'];
const alarm = (v: FactValue | undefined) => v !== undefined && ALARM_VALUES.includes(v);

function factsOf(path: FlowPath): Record<string, FactValue> {
  const out: Record<string, FactValue> = {};
  for (const a of path.answers) {
    const step = kit.flow.step(a.stepId);
    if (step && 'fact' in step && step.fact) out[step.fact] = a.value;
  }
  return out;
}

const ALARM_TEXT: Record<Lang, string> = {
  'zh-CN': '现在就拨打 110 报警',
  en: 'Call the police on 110 now',
};
const CALL_110: Record<Lang, RegExp> = { 'zh-CN': /立即拨打 110/u, en: /Call 110 now/u };
const BACKSTOP: Record<Lang, string> = {
  'zh-CN': '那就是骗子：马上停下，拨打 110',
  en: 'that is a scammer: stop at once and call 110',
};
const ACCUSED: Record<Lang, string> = {
  'zh-CN': '很可能是被骗的钱',
  en: 'was very likely taken by a scam',
};
const NEVER_SHARE: Record<Lang, string> = { 'zh-CN': '付款码', en: 'payment code' };
const POLITE: Record<Lang, RegExp> = {
  'zh-CN': /联系收款人|把下面这段话发给|麻烦您退还/u,
  en: /Contact the recipient|Send the recipient this message|Could you please return/u,
};

/** Plays a path in a language; the replies after each answer, and the final plan. */
function play(lang: Lang, path: FlowPath) {
  const handle = (s: Session | undefined, text: string) =>
    kit.engine.handle(s, { userId: 'p', text, lang }, NOW);
  let out = handle(undefined, lang === 'en' ? 'hi' : '你好');
  const after = new Map<string, Reply[]>();
  for (const answer of path.answers) {
    if (out.session?.stepId !== answer.stepId) continue;
    const text = typedAnswer(kit.flow, kit.translators, lang, answer.stepId, answer.value);
    out = handle(out.session, text);
    after.set(answer.stepId, out.replies);
  }
  const session = out.session as Session;
  const summary = handle(session, lang === 'en' ? 'summary' : '摘要').replies;
  const copies = summary.some((r) => r.type === 'copy');
  return { session, plan: repliesText(summary), copies, after };
}

describe('safety over every path', () => {
  it('the screen decides: a scam payment ends in the scam plan, a fake 客服 gets its own part', () => {
    const escalate = kit.flow.definition.escalate;
    if (!escalate) throw new Error('the recovery flow must declare escalate');
    let scamPaths = 0;
    let secondWave = 0;
    const wrong: string[] = [];
    // Plain checks over several hundred thousand paths; the first few failures are reported.
    for (const path of graph.paths()) {
      const facts = factsOf(path);
      const fail = (why: string) =>
        wrong.length < 5 && wrong.push(`${why}: ${path.steps.join(' > ')}`);
      if (facts.paymentKind === 'received') {
        if (path.end !== 'end-received') fail('received money, not the reverse-trick plan');
        continue;
      }
      const scam = evaluate(escalate.when, facts, TODAY);
      if (scam) scamPaths++;
      if ((path.end === 'end-scam') !== scam) fail(`scam ${String(scam)} but ${path.end}`);
      const screen = [facts.beingPressed, facts.refundOffer, facts.promisedReturn];
      // Yes or unsure to any screen question: 110 at once (the alarm step is walked).
      if (screen.some(alarm) && !path.steps.includes('scam-now')) fail('an alarm without 110');
      if (!scam && screen.some(alarm)) {
        secondWave++;
        // Not the recipient's scam: someone who came after, named in its own part.
        if (facts.scamActor !== 'other' || !path.steps.includes('sw-report'))
          fail('an alarm that is neither the scam plan nor a named third party');
      }
    }
    expect(wrong).toEqual([]);
    expect(scamPaths).toBeGreaterThan(100);
    expect(secondWave).toBeGreaterThan(100);
  });

  it.each(['zh-CN', 'en'] as const)(
    'in %s, every plan: 110 first for a scam, the backstop under every text for the other side',
    (lang) => {
      for (const path of covering) {
        const { session, plan, copies, after } = play(lang, path);
        const where = path.steps.join(' > ');
        expect(session.stepId, where).toBe(path.end);
        if (path.end === 'end-scam') {
          expect(plan, where).toMatch(CALL_110[lang]);
          expect(plan).toContain(NEVER_SHARE[lang]);
          expect(plan).not.toMatch(POLITE[lang]);
        } else if (path.end !== 'end-received' && copies) {
          // A plan with a text to copy for the other side warns against paying for a refund.
          expect(plan, where).toContain(BACKSTOP[lang]);
        }
        if (factsOf(path).scamActor === 'other' && path.end !== 'end-scam')
          expect(plan, where).not.toContain(ACCUSED[lang]);
        // The first answer that raised the alarm gets 110 in the very next reply.
        const first = path.answers.find((a) => SCREEN.includes(a.stepId) && alarm(a.value));
        if (first)
          expect(repliesText(after.get(first.stepId) ?? []), where).toContain(ALARM_TEXT[lang]);
      }
    },
    // Two thousand conversations through the real engine.
    240_000,
  );

  it.each(['zh-CN', 'en'] as const)(
    'in %s, a confirmed scam signal at any step of an honest path ends in the scam plan',
    (lang) => {
      const honest = covering.filter((p) => {
        const f = factsOf(p);
        const screen = [f.beingPressed, f.refundOffer, f.promisedReturn];
        return p.end !== 'end-scam' && p.end !== 'end-received' && !screen.some(alarm);
      });
      const say = (s: Session | undefined, text: string) =>
        kit.engine.handle(s, { userId: 'p', text, lang }, NOW);
      const signal = lang === 'en' ? 'they want a refund fee first' : '对方说退款要先交手续费';
      fc.assert(
        fc.property(fc.nat(), fc.nat(), (p, at) => {
          const path = honest[p % honest.length] as FlowPath;
          let out = say(undefined, lang === 'en' ? 'hi' : '你好');
          const stop = at % path.answers.length;
          for (const [i, answer] of path.answers.entries()) {
            if (i === stop) break;
            if (out.session?.stepId !== answer.stepId) continue;
            const text = typedAnswer(kit.flow, kit.translators, lang, answer.stepId, answer.value);
            out = say(out.session, text);
          }
          out = say(out.session ?? undefined, signal);
          // Before the screen is done the screen asks; after it, the confirmation does.
          for (let i = 0; i < 30 && out.session; i++) {
            const s = out.session;
            const step = kit.flow.step(s.stepId);
            // A confirmation still waiting is answered even where the path has reached an end.
            if (step?.type === 'end' && !s.confirming) break;
            const reply =
              s.confirming || s.stepId === 'urgent-check'
                ? lang === 'en'
                  ? 'yes'
                  : '是'
                : step?.type === 'choice'
                  ? '1'
                  : step?.type === 'input' && step.input === 'yesno'
                    ? lang === 'en'
                      ? 'no'
                      : '不是'
                    : lang === 'en'
                      ? 'skip'
                      : '跳过';
            out = say(s, reply);
          }
          expect(['end-scam', 'end-received']).toContain(out.session?.stepId);
        }),
        { numRuns: 60 },
      );
    },
  );
});

describe('no false alarm on ordinary wrong payments', () => {
  it.each([
    ['zh-CN', '我本来想转给另一个人，结果付错了'],
    ['zh-CN', '我付错了账户，应该付到另一个账户的'],
    ['zh-CN', '我打电话给微信支付客服95017问了'],
    ['zh-CN', '也没人让我交钱，就是转错了'],
    ['en', 'I meant to pay another account but picked the wrong one'],
    ['en', 'I called WeChat Pay customer service at 95017'],
  ] as const)('%s: "%s" is not a scam signal', (lang, text) => {
    const { session } = kit.engine.handle(undefined, { userId: 'u', text, lang }, NOW);
    expect(session?.facts.scamSignal).toBeUndefined();
  });
});
