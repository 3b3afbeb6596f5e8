import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import { typedAnswer } from '../src/authoring/replay.js';
import type { Session } from '../src/core/session.js';
import type { Lang } from '../src/shared/types.js';
import { evaluate } from '../src/flow/conditions.js';
import { coveringPaths, enumeratePaths, type FlowPath } from '../src/flow/paths.js';
import { loadKit, type Kit } from './helpers.js';

/**
 * The safety rule as a property over every path: any scam signal, at any step, makes the plan
 * the scam plan — 110 first, and never a text to send to the other side.
 */
const NOW = new Date('2026-11-28T04:00:00Z');
const TODAY = '2026-11-28';
let kit: Kit;
let paths: FlowPath[];
beforeAll(async () => {
  kit = await loadKit();
  paths = enumeratePaths(kit.flow, TODAY);
});

const POLITE: Record<Lang, RegExp> = {
  'zh-CN': /先礼貌地联系收款人|联系收款人，把下面这段话|你可以把下面这段话发给对方|麻烦您/u,
  en: /contact the recipient|send them the message below|Could you please return/iu,
};
const CALL_110: Record<Lang, RegExp> = { 'zh-CN': /立即拨打 110/u, en: /Call 110 now/u };
const SCAM_SAYS: Record<Lang, string[]> = {
  'zh-CN': [
    '对方让我扫他发的二维码领取退款',
    '客服让我先交解冻费',
    '对方说要刷流水才能提现',
    '网上找了个追款公司',
  ],
  en: [
    'send my payment code so they can refund',
    'they told me to pay a refund fee',
    'a recovery company wants a fee',
  ],
};

function play(
  lang: Lang,
  path: FlowPath,
  interruptAt = -1,
  scam = '',
): { session: Session; plan: string } {
  const handle = (s: Session | undefined, text: string) =>
    kit.engine.handle(s, { userId: 'p', text, lang }, NOW);
  let out = handle(undefined, lang === 'en' ? 'hi' : '你好');
  path.answers.forEach((answer, i) => {
    if (i === interruptAt) out = handle(out.session ?? undefined, scam);
    if (out.session?.stepId !== answer.stepId) return;
    out = handle(
      out.session,
      typedAnswer(kit.flow, kit.translators, lang, answer.stepId, answer.value),
    );
  });
  // An escalation goes back for the facts the police outline needs, if the path never gave
  // them; a scam message that also answered a question moves on: answer what is asked.
  for (let i = 0; i < 8; i++) {
    const step = kit.flow.step(out.session?.stepId ?? '');
    if (!out.session || !step || step.type === 'end' || step.type === 'message') break;
    const kind = step.type === 'choice' ? 'choice' : step.input;
    const fill = {
      choice: '1',
      date: lang === 'en' ? 'yesterday' : '昨天',
      money: '500',
      text: lang === 'en' ? 'skip' : '跳过',
      yesno: lang === 'en' ? 'no' : '不是',
    };
    out = handle(out.session, fill[kind]);
  }
  const session = out.session as Session;
  const plan = repliesText(handle(session, lang === 'en' ? 'summary' : '摘要').replies);
  return { session, plan };
}

describe('safety over every path', () => {
  it('a path whose facts carry a scam signal ends in the scam plan; one without never does', () => {
    const escalate = kit.flow.definition.escalate;
    if (!escalate) throw new Error('the recovery flow must declare escalate');
    let scamPaths = 0;
    for (const path of paths) {
      const facts = Object.fromEntries(
        path.answers.map((a) => [
          kit.flow.definition.steps[a.stepId] &&
          'fact' in (kit.flow.definition.steps[a.stepId] ?? {})
            ? (kit.flow.definition.steps[a.stepId] as { fact: string }).fact
            : a.stepId,
          a.value,
        ]),
      );
      const scam = evaluate(escalate.when, facts, TODAY);
      if (scam) scamPaths++;
      expect(path.end === 'end-scam', path.steps.join(' > ')).toBe(scam);
    }
    expect(scamPaths).toBeGreaterThan(100);
  });

  it.each(['zh-CN', 'en'] as const)(
    'in %s, every scam plan has 110 first and no text for the other side',
    (lang) => {
      for (const path of coveringPaths(paths).filter((p) => p.end === 'end-scam')) {
        const { session, plan } = play(lang, path);
        expect(session.stepId).toBe('end-scam');
        expect(plan, path.steps.join(' > ')).toMatch(CALL_110[lang]);
        expect(plan).not.toMatch(POLITE[lang]);
      }
    },
  );

  it.each(['zh-CN', 'en'] as const)(
    'in %s, a scam message at any step of any path ends in the scam plan',
    (lang) => {
      fc.assert(
        fc.property(fc.nat(), fc.nat(), fc.nat(), (p, at, which) => {
          const path = paths[p % paths.length] as FlowPath;
          const says = SCAM_SAYS[lang];
          const { session, plan } = play(
            lang,
            path,
            at % path.answers.length,
            says[which % says.length] ?? '',
          );
          expect(session.facts.scamSignal).toBe(true);
          expect(session.stepId, path.steps.join(' > ')).toBe('end-scam');
          expect(plan).toMatch(CALL_110[lang]);
          expect(plan).not.toMatch(POLITE[lang]);
        }),
        { numRuns: 150 },
      );
    },
  );

  it('an honest, regretful tipper is never sent to the scam plan', () => {
    const honest = paths.filter((p) =>
      p.answers.some((a) => a.stepId === 'd-deceived' && a.value === false),
    );
    expect(honest.length).toBeGreaterThan(0);
    for (const path of honest) {
      const pressed = path.answers.some((a) => a.stepId === 'urgent-check' && a.value === true);
      const induced = path.answers.some((a) => a.stepId === 'c-induced' && a.value !== false);
      if (!pressed && !induced) expect(path.end).not.toBe('end-scam');
    }
  });
});

describe('no false alarm on ordinary wrong payments', () => {
  it.each([
    ['zh-CN', '我本来想转给另一个人，结果付错了'],
    ['zh-CN', '我付错了账户，应该付到另一个账户的'],
    ['zh-CN', '我打电话给微信支付客服95017问了'],
    ['en', 'I meant to pay another account but picked the wrong one'],
    ['en', 'I called WeChat Pay customer service at 95017'],
  ] as const)('%s: "%s" is not a scam signal', (lang, text) => {
    const { session } = kit.engine.handle(undefined, { userId: 'u', text, lang }, NOW);
    expect(session?.facts.scamSignal).toBeUndefined();
  });
});
