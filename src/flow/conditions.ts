import { z } from 'zod';
import type { Facts } from '../shared/types.js';
import { addYears, daysBetween } from '../shared/calendar.js';

/**
 * The named conditions a flow may use in `when:`. A flow refers to them by name, so every
 * name and its parameters are checked when the flow loads, never at run time, and no code
 * ever lives in YAML.
 */
const factName = z.string().min(1).describe('the name of a fact set by an input or choice step');
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const leafConditionSchemas = {
  factEquals: z
    .object({ fact: factName, value: scalar })
    .strict()
    .describe('the fact has exactly this value'),
  factIn: z
    .object({ fact: factName, values: z.array(scalar).min(1) })
    .strict()
    .describe('the fact has one of these values'),
  factKnown: z.object({ fact: factName }).strict().describe('the fact has been answered'),
  atLeast: z
    .object({ fact: factName, value: z.number() })
    .strict()
    .describe('a number fact (e.g. an amount) is at least value'),
  below: z
    .object({ fact: factName, value: z.number() })
    .strict()
    .describe('a number fact is below value'),
  daysSinceAtMost: z
    .object({ fact: factName, days: z.number().int().min(0) })
    .strict()
    .describe('a date fact is at most this many days ago'),
  daysSinceMoreThan: z
    .object({ fact: factName, days: z.number().int().min(0) })
    .strict()
    .describe('a date fact is more than this many days ago'),
  yearsSinceMoreThan: z
    .object({ fact: factName, years: z.number().int().min(1) })
    .strict()
    .describe('a date fact is more than this many calendar years ago'),
} as const;

export type LeafConditionName = keyof typeof leafConditionSchemas;

export type Condition =
  | {
      [K in LeafConditionName]: { [P in K]: z.infer<(typeof leafConditionSchemas)[K]> };
    }[LeafConditionName]
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    ...Object.entries(leafConditionSchemas).map(([name, params]) =>
      z.object({ [name]: params }).strict(),
    ),
    z.object({ all: z.array(conditionSchema).min(1) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1) }).strict(),
    z.object({ not: conditionSchema }).strict(),
  ] as unknown as [z.ZodType<Condition>, z.ZodType<Condition>]),
);

/** Every fact a condition reads, so the loader can check that some step sets it. */
export function factsRead(condition: Condition): string[] {
  if ('all' in condition) return condition.all.flatMap(factsRead);
  if ('any' in condition) return condition.any.flatMap(factsRead);
  if ('not' in condition) return factsRead(condition.not);
  const params = Object.values(condition)[0] as { fact: string };
  return [params.fact];
}

/** `today` is the user's calendar date (YYYY-MM-DD, Asia/Shanghai), injected: no clock here. */
export function evaluate(condition: Condition, facts: Facts, today: string): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluate(c, facts, today));
  if ('any' in condition) return condition.any.some((c) => evaluate(c, facts, today));
  if ('not' in condition) return !evaluate(condition.not, facts, today);
  if ('factEquals' in condition)
    return facts[condition.factEquals.fact] === condition.factEquals.value;
  if ('factIn' in condition) {
    const value = facts[condition.factIn.fact];
    return value !== undefined && condition.factIn.values.includes(value);
  }
  if ('factKnown' in condition) return facts[condition.factKnown.fact] !== undefined;
  if ('atLeast' in condition)
    return numberFact(facts, condition.atLeast.fact) >= condition.atLeast.value;
  if ('below' in condition) return numberFact(facts, condition.below.fact) < condition.below.value;
  if ('daysSinceAtMost' in condition) {
    const days = daysSince(facts, condition.daysSinceAtMost.fact, today);
    return days !== undefined && days <= condition.daysSinceAtMost.days;
  }
  if ('daysSinceMoreThan' in condition) {
    const days = daysSince(facts, condition.daysSinceMoreThan.fact, today);
    return days !== undefined && days > condition.daysSinceMoreThan.days;
  }
  const date = dateFact(facts, condition.yearsSinceMoreThan.fact);
  return (
    date !== undefined && daysBetween(addYears(date, condition.yearsSinceMoreThan.years), today) > 0
  );
}

/** A date fact's value; a skipped optional date ('') is no date, so no distance holds. */
function dateFact(facts: Facts, name: string): string | undefined {
  const value = facts[name];
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined;
}

function numberFact(facts: Facts, name: string): number {
  const value = facts[name];
  return typeof value === 'number' ? value : Number.NaN;
}

function daysSince(facts: Facts, name: string, today: string): number | undefined {
  const value = dateFact(facts, name);
  return value === undefined ? undefined : daysBetween(value, today);
}
