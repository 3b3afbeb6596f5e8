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

/**
 * What each condition means, in one place: its parameters (checked at load), how it is
 * evaluated, how it reads in the graph, and the thresholds it tests (path sampling takes a
 * value on each side of them, so every branch the flow can tell apart is walked). A new
 * condition is one entry here; leaving out any part is a type error, and test/conditions
 * checks that sampling sees both sides of each.
 */
interface ConditionKind<P> {
  schema: z.ZodType<P>;
  evaluate(params: P, facts: Facts, today: string): boolean;
  describe(params: P): string;
  /** The numbers it compares a fact with (amounts, or a date's age in days); none for equality. */
  thresholds(params: P): Array<{ fact: string; value: number }>;
}

const kind = <P>(k: ConditionKind<P>) => k;
const none = () => [];

export const CONDITIONS = {
  factEquals: kind({
    schema: z
      .object({ fact: factName, value: scalar })
      .strict()
      .describe('the fact has exactly this value'),
    evaluate: (p, facts) => facts[p.fact] === p.value,
    describe: (p) => `${p.fact} = ${String(p.value)}`,
    thresholds: none,
  }),
  factIn: kind({
    schema: z
      .object({ fact: factName, values: z.array(scalar).min(1) })
      .strict()
      .describe('the fact has one of these values'),
    evaluate: (p, facts) => {
      const value = facts[p.fact];
      return value !== undefined && p.values.includes(value);
    },
    describe: (p) => `${p.fact} in ${p.values.join('/')}`,
    thresholds: none,
  }),
  factKnown: kind({
    schema: z.object({ fact: factName }).strict().describe('the fact has been answered'),
    evaluate: (p, facts) => facts[p.fact] !== undefined,
    describe: (p) => `${p.fact} known`,
    thresholds: none,
  }),
  atLeast: kind({
    schema: z
      .object({ fact: factName, value: z.number() })
      .strict()
      .describe('a number fact (e.g. an amount) is at least value'),
    evaluate: (p, facts) => numberFact(facts, p.fact) >= p.value,
    describe: (p) => `${p.fact} ≥ ${p.value}`,
    thresholds: (p) => [{ fact: p.fact, value: p.value }],
  }),
  below: kind({
    schema: z
      .object({ fact: factName, value: z.number() })
      .strict()
      .describe('a number fact is below value'),
    evaluate: (p, facts) => numberFact(facts, p.fact) < p.value,
    describe: (p) => `${p.fact} < ${p.value}`,
    thresholds: (p) => [{ fact: p.fact, value: p.value }],
  }),
  daysSinceAtMost: kind({
    schema: z
      .object({ fact: factName, days: z.number().int().min(0) })
      .strict()
      .describe('a date fact is at most this many days ago'),
    evaluate: (p, facts, today) => {
      const days = daysSince(facts, p.fact, today);
      return days !== undefined && days <= p.days;
    },
    describe: (p) => `${p.fact} ≤ ${p.days} days ago`,
    thresholds: (p) => [{ fact: p.fact, value: p.days }],
  }),
  daysSinceMoreThan: kind({
    schema: z
      .object({ fact: factName, days: z.number().int().min(0) })
      .strict()
      .describe('a date fact is more than this many days ago'),
    evaluate: (p, facts, today) => {
      const days = daysSince(facts, p.fact, today);
      return days !== undefined && days > p.days;
    },
    describe: (p) => `${p.fact} > ${p.days} days ago`,
    thresholds: (p) => [{ fact: p.fact, value: p.days }],
  }),
  yearsSinceMoreThan: kind({
    schema: z
      .object({ fact: factName, years: z.number().int().min(1) })
      .strict()
      .describe('a date fact is more than this many calendar years ago'),
    evaluate: (p, facts, today) => {
      const date = dateFact(facts, p.fact);
      return date !== undefined && daysBetween(addYears(date, p.years), today) > 0;
    },
    describe: (p) => `${p.fact} > ${p.years} years ago`,
    // In days, as the other date conditions: 365.25 a year.
    thresholds: (p) => [{ fact: p.fact, value: Math.round(p.years * 365.25) }],
  }),
};

type Kinds = typeof CONDITIONS;
export type LeafConditionName = keyof Kinds;
type ParamsOf<K extends LeafConditionName> = Kinds[K] extends ConditionKind<infer P> ? P : never;

/** The parameter schemas by name (the flow schema's `when:` alternatives). */
export const leafConditionSchemas = Object.fromEntries(
  Object.entries(CONDITIONS).map(([name, k]) => [name, k.schema]),
) as { [K in LeafConditionName]: Kinds[K]['schema'] };

export type Condition =
  | {
      [K in LeafConditionName]: { [P in K]: ParamsOf<K> };
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
  return predicate(condition)(facts, today);
}

type Predicate = (facts: Facts, today: string) => boolean;

/**
 * Each condition as a function, made on its first evaluation and kept: every step taken
 * evaluates its branches and the flow's `escalate` (an `any` of eight leaves), and walking
 * the tree by its keys (`'all' in`, the leaf's name) each time was a tenth of a message's
 * cost (bench: engine per message). A flow's conditions are never changed after it is loaded.
 * The same order and short-circuits as the tree: `all` stops at the first false, `any` at
 * the first true.
 */
const predicates = new WeakMap<Condition, Predicate>();

function predicate(condition: Condition): Predicate {
  let p = predicates.get(condition);
  if (!p) {
    p = compilePredicate(condition);
    predicates.set(condition, p);
  }
  return p;
}

function compilePredicate(condition: Condition): Predicate {
  if ('all' in condition) {
    const parts = condition.all.map(predicate);
    return (facts, today) => {
      for (const part of parts) if (!part(facts, today)) return false;
      return true;
    };
  }
  if ('any' in condition) {
    const parts = condition.any.map(predicate);
    return (facts, today) => {
      for (const part of parts) if (part(facts, today)) return true;
      return false;
    };
  }
  if ('not' in condition) {
    const inner = predicate(condition.not);
    return (facts, today) => !inner(facts, today);
  }
  const [name, params] = leaf(condition);
  const kind = CONDITIONS[name] as ConditionKind<unknown>;
  return (facts, today) => kind.evaluate(params, facts, today);
}

/** How a condition reads (the graph's edge labels). */
export function describeCondition(c: Condition): string {
  if ('all' in c) return c.all.map(describeCondition).join(' and ');
  if ('any' in c) return c.any.map(describeCondition).join(' or ');
  if ('not' in c) return `not (${describeCondition(c.not)})`;
  const [name, params] = leaf(c);
  return (CONDITIONS[name] as ConditionKind<unknown>).describe(params);
}

/** Every threshold a condition tests, at any depth. */
export function conditionThresholds(c: Condition): Array<{ fact: string; value: number }> {
  if ('all' in c) return c.all.flatMap(conditionThresholds);
  if ('any' in c) return c.any.flatMap(conditionThresholds);
  if ('not' in c) return conditionThresholds(c.not);
  const [name, params] = leaf(c);
  return (CONDITIONS[name] as ConditionKind<unknown>).thresholds(params);
}

/** A leaf condition's name and parameters (it has exactly one key: the schema says so). */
function leaf(c: Condition): [LeafConditionName, unknown] {
  for (const name in c) return [name as LeafConditionName, (c as Record<string, unknown>)[name]];
  throw new Error('empty condition');
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
