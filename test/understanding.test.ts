import { beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../src/authoring/parse.js';
import { createUnderstanding, type Understanding } from '../src/core/understand.js';
import type { FactValue } from '../src/shared/types.js';
import { CORRECTIONS, KNOWN, STEP_CASES, STORIES, TODAY } from './corpus/understanding.js';
import { loadKit, type Kit } from './helpers.js';

let kit: Kit;
let understanding: Understanding;
beforeAll(async () => {
  kit = await loadKit();
  understanding = createUnderstanding(kit.flow, kit.translators);
});

interface Case {
  step: string;
  lang: string;
  text: string;
  expected: FactValue | undefined;
}

function cases(): Case[] {
  return STEP_CASES.flatMap(({ step, lang, lines }) =>
    lines
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.includes('=>'))
      .map((line) => {
        const [text = '', raw = ''] = line.split('=>').map((p) => p.trim());
        const expected: FactValue | undefined =
          raw === '?'
            ? undefined
            : raw === 'true'
              ? true
              : raw === 'false'
                ? false
                : /^-?\d+(\.\d+)?$/.test(raw) && !/^\d{4}-/.test(raw)
                  ? Number(raw)
                  : raw;
        return { step, lang, text, expected };
      }),
  );
}

describe('understanding people as they write (our own corpus, harder than the examples)', () => {
  it('reads at least 400 labelled answers: ≥ 90% understood, ≤ 2% recorded wrong, the rest asked again', () => {
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(400);
    const wrong: string[] = [];
    let understood = 0;
    let asked = 0;
    for (const c of all) {
      const fact = (kit.flow.step(c.step) as { fact: string }).fact;
      const got = parseMessage(kit.flow, understanding, c.step, c.text, TODAY).facts[fact];
      if (got === c.expected) understood++;
      else if (got === undefined) asked++;
      else
        wrong.push(
          `${c.step} ${JSON.stringify(c.text)}: got ${JSON.stringify(got)}, expected ${JSON.stringify(c.expected ?? 'ask again')}`,
        );
    }
    const n = all.length;
    console.log(
      `understanding corpus: ${n} answers · understood ${((100 * understood) / n).toFixed(1)}% · recorded wrong ${((100 * wrong.length) / n).toFixed(1)}% · asked again ${((100 * asked) / n).toFixed(1)}%`,
    );
    expect(wrong.length / n, wrong.join('\n')).toBeLessThanOrEqual(0.02);
    expect(understood / n).toBeGreaterThanOrEqual(0.9);
  });

  it('takes ≥ 75% of the facts opening stories state, and never a fact they do not', () => {
    let stated = 0;
    let taken = 0;
    const wrong: string[] = [];
    for (const story of STORIES) {
      const { facts } = parseMessage(kit.flow, understanding, undefined, story.text, TODAY);
      for (const [fact, value] of Object.entries(story.facts)) {
        stated++;
        if (facts[fact] === value) taken++;
      }
      for (const [fact, value] of Object.entries(facts)) {
        if (story.facts[fact] !== value)
          wrong.push(`${story.text}: ${fact} = ${JSON.stringify(value)}`);
      }
    }
    console.log(
      `opening stories: ${STORIES.length} · facts taken ${taken}/${stated} (${((100 * taken) / stated).toFixed(1)}%) · wrong ${wrong.length}`,
    );
    expect(STORIES.length).toBeGreaterThanOrEqual(20);
    expect(wrong, wrong.join('\n')).toEqual([]);
    expect(taken / stated).toBeGreaterThanOrEqual(0.75);
  });

  it('reads every correction form as the change it names, and nothing else as a change', () => {
    const wrong: string[] = [];
    for (const { text, changes } of CORRECTIONS) {
      const got = understanding.correct(text, TODAY, { ...KNOWN });
      if (JSON.stringify(got) !== JSON.stringify(changes))
        wrong.push(`${text}: got ${JSON.stringify(got)}, expected ${JSON.stringify(changes)}`);
    }
    console.log(`corrections: ${CORRECTIONS.length} · read wrong ${wrong.length}`);
    expect(wrong, wrong.join('\n')).toEqual([]);
  });
});
