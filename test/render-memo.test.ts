import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Translators } from '../src/core/ports.js';
import { renderStep } from '../src/core/render.js';
import { compileFlow } from '../src/flow/compile.js';
import { inlineWords } from '../src/flow/keys.js';
import { parseFlow } from '../src/flow/load.js';
import type { FlowPath } from '../src/flow/paths.js';
import { createTranslators } from '../src/i18n/index.js';
import { LANGS, type Facts } from '../src/shared/types.js';
import { loadKit, type Kit } from './helpers.js';

/**
 * renderStep remembers a step's replies by the values of the facts its words can read
 * (render.ts, RenderMemo). A translators function of its own has a memo of its own, so
 * `fresh()` renders as if nothing had been rendered before: the two must always agree.
 */
const fresh =
  (translators: Translators): Translators =>
  (lang) =>
    translators(lang);

describe('the render memo', () => {
  let kit: Kit;
  let paths: FlowPath[];
  beforeAll(async () => {
    kit = await loadKit();
    paths = inject('coveringPaths');
  });

  it('renders every step of every covering path as a render from nothing does, in both languages', () => {
    let renders = 0;
    for (const path of paths) {
      let facts: Facts = {};
      for (const stepId of path.steps) {
        for (const answer of path.answers.filter((a) => a.stepId === stepId)) {
          const step = kit.flow.step(stepId);
          const fact = step && 'fact' in step ? step.fact : undefined;
          if (fact) facts = { ...facts, [fact]: answer.value };
        }
        for (const lang of LANGS) {
          const remembered = renderStep(kit.flow, stepId, facts, kit.translators, lang);
          expect(remembered).toEqual(
            renderStep(kit.flow, stepId, facts, fresh(kit.translators), lang),
          );
          renders++;
        }
      }
    }
    expect(renders).toBeGreaterThan(10_000);
  });

  const flowText = `
id: memo
start: plan
facts:
  kind: { zh-CN: 方式, en: how }
  paidOn: { zh-CN: 日期, en: date }
  hidden: { zh-CN: 隐藏, en: hidden }
  name: { zh-CN: 名字, en: name }
steps:
  ask-kind:
    type: choice
    fact: kind
    text: { zh-CN: 怎么付的？, en: How? }
    options:
      - { id: gift, text: { zh-CN: 赞赏, en: a gift } }
      - { id: transfer, text: { zh-CN: 转账, en: a transfer } }
    next: ask-date
  ask-date: { type: input, input: date, fact: paidOn, text: { zh-CN: 哪天？, en: When? }, next: ask-name }
  ask-name: { type: input, input: text, fact: name, text: { zh-CN: 谁？, en: Who? }, next: ask-hidden }
  ask-hidden: { type: input, input: yesno, fact: hidden, text: { zh-CN: 对吗？, en: Right? }, next: plan }
  plan:
    type: end
    text:
      zh-CN: '{{tone}}：{{paidOnPlus90Days}}前，发给{{name}}（{{paidOnPlus90DaysZh}}）'
      en: '{{tone}}: by {{paidOnPlus90Days}}, tell {{name}} ({{paidOnPlus90DaysZh}})'
phrases:
  how:
    - when: { factEquals: { fact: kind, value: gift } }
      use: gift
      text: { zh-CN: 赞赏, en: a gift }
    - use: other
      text: { zh-CN: 其他, en: other }
  tone:
    - when: { factEquals: { fact: hidden, value: true } }
      use: quiet
      text: { zh-CN: '悄悄地{{how}}', en: 'quietly, {{how}}' }
    - use: plain
      text: { zh-CN: '直接{{how}}', en: 'plainly, {{how}}' }
`;

  it("tells apart facts read only by a phrase's condition, by a phrase it uses, as a deadline, as typed", () => {
    const flow = compileFlow(parseFlow(flowText, 'memo.yaml'), 'memo');
    const words = inlineWords(flow.definition);
    const translators = createTranslators({
      'zh-CN': { common: { notGiven: '未填', yes: '是', no: '否' }, memo: words['zh-CN'] },
      en: { common: { notGiven: 'not given', yes: 'yes', no: 'no' }, memo: words.en },
    });
    const base: Facts = { kind: 'gift', paidOn: '2026-11-20', name: '王', hidden: false };
    const cases: Facts[] = [
      base,
      { ...base, hidden: true },
      { ...base, kind: 'transfer' },
      { ...base, paidOn: '2026-11-21' },
      { ...base, name: '李' },
      { ...base, hidden: 'unsure' },
      { kind: 'gift', paidOn: '2026-11-20', name: '王' },
    ];
    for (const lang of LANGS)
      for (const facts of cases)
        for (let i = 0; i < 2; i++)
          expect(renderStep(flow, 'plan', facts, translators, lang)).toEqual(
            renderStep(flow, 'plan', facts, fresh(translators), lang),
          );
    const texts = cases.map((f) => renderStep(flow, 'plan', f, translators, 'en')[0]?.text);
    expect(texts[0]).toBe('plainly, a gift: by February 18, 2027, tell 王 (2027年2月18日)');
    // Read only by a phrase's condition, by a phrase a phrase uses, as a deadline, as typed.
    expect(texts[1]).toBe('quietly, a gift: by February 18, 2027, tell 王 (2027年2月18日)');
    expect(texts[2]).toBe('plainly, other: by February 18, 2027, tell 王 (2027年2月18日)');
    expect(texts[3]).toBe('plainly, a gift: by February 19, 2027, tell 王 (2027年2月19日)');
    expect(texts[4]).toBe('plainly, a gift: by February 18, 2027, tell 李 (2027年2月18日)');
    expect(texts[5]).toBe(texts[0]);
    expect(texts[6]).toBe(texts[0]);
  });
});
