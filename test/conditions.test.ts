import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  conditionReference,
  tableCells,
  writtenReference,
} from '../src/authoring/condition-docs.js';
import { ROOT } from './helpers.js';
import {
  CONDITIONS,
  conditionThresholds,
  describeCondition,
  evaluate,
  type Condition,
} from '../src/flow/conditions.js';
import { sampleAnswers } from '../src/flow/paths.js';
import type { InputStep } from '../src/flow/schema.js';
import type { FactValue } from '../src/shared/types.js';

const TODAY = '2026-12-03';

/**
 * One example of every condition, with the kind of answer that sets its fact. A condition
 * added to the table without an example here fails the first test: path sampling must be
 * shown to see both sides of it, or the paths test would silently stop covering a branch.
 */
const EXAMPLES: Record<keyof typeof CONDITIONS, { when: Condition; input: InputStep['input'] }> = {
  factEquals: { when: { factEquals: { fact: 'x', value: true } }, input: 'yesno' },
  factIn: { when: { factIn: { fact: 'x', values: [true, 'unsure'] } }, input: 'yesno' },
  factKnown: { when: { factKnown: { fact: 'x' } }, input: 'yesno' },
  atLeast: { when: { atLeast: { fact: 'x', value: 10000.01 } }, input: 'money' },
  below: { when: { below: { fact: 'x', value: 50 } }, input: 'money' },
  daysSinceAtMost: { when: { daysSinceAtMost: { fact: 'x', days: 90 } }, input: 'date' },
  daysSinceMoreThan: { when: { daysSinceMoreThan: { fact: 'x', days: 30 } }, input: 'date' },
  yearsSinceMoreThan: { when: { yearsSinceMoreThan: { fact: 'x', years: 3 } }, input: 'date' },
};

describe('the condition table', () => {
  it('has an example for every condition, and nothing else', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(Object.keys(CONDITIONS).sort());
  });

  for (const [name, { when, input }] of Object.entries(EXAMPLES)) {
    it(`${name}: path sampling takes an answer on each side of it, and it reads as text`, () => {
      const step: InputStep = { type: 'input', input, fact: 'x', next: 'end' };
      const limits = new Map<string, number[]>();
      for (const { fact, value } of conditionThresholds(when))
        limits.set(fact, [...(limits.get(fact) ?? []), value]);
      // factKnown's other side is a way that never asks for the fact (paths walk those too).
      const samples: Array<FactValue | undefined> = sampleAnswers(step, TODAY, limits);
      if (name === 'factKnown') samples.push(undefined);
      const outcomes = new Set(
        samples.map((value) => evaluate(when, value === undefined ? {} : { x: value }, TODAY)),
      );
      expect([...outcomes].sort()).toEqual([false, true]);
      expect(describeCondition(when)).toMatch(/\bx\b/);
    });
  }

  it('combines: all, any and not', () => {
    const c: Condition = {
      all: [{ factKnown: { fact: 'x' } }, { not: { below: { fact: 'x', value: 50 } } }],
    };
    expect(evaluate(c, { x: 60 }, TODAY)).toBe(true);
    expect(evaluate(c, { x: 40 }, TODAY)).toBe(false);
    expect(describeCondition({ any: [c, { factKnown: { fact: 'y' } }] })).toBe(
      'x known and not (x < 50) or y known',
    );
    expect(conditionThresholds(c)).toEqual([{ fact: 'x', value: 50 }]);
  });
});

describe('the conditions in docs/authoring-flows.md', () => {
  it('are the table, as `npm run flow -- schema` writes them', async () => {
    const guide = await readFile(resolve(ROOT, 'docs/authoring-flows.md'), 'utf8');
    const written = writtenReference(guide);
    expect(written).toBeDefined();
    expect(tableCells(written ?? '')).toEqual(tableCells(conditionReference()));
    expect(tableCells(conditionReference()).map((row) => row[0])).toEqual(
      expect.arrayContaining(Object.keys(CONDITIONS).map((name) => `\`${name}\``)),
    );
  });
});
