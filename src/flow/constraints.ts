import type { Step } from './schema.js';
import type { FactValue, Facts } from '../shared/types.js';

/** Why an answer contradicts a fact already known (each has a re-prompt in locales/). */
export type Contradiction = { reason: 'moneyNotBelow' | 'dateBeforeFirst'; fact: string };

/**
 * An input step's `below` / `notBefore`: the amount meant must be less than the amount paid,
 * the last of several payments not before the first. A skipped answer ('') or an unknown other
 * fact contradicts nothing.
 */
export function contradiction(
  step: Step,
  value: FactValue,
  facts: Facts,
): Contradiction | undefined {
  if (step.type !== 'input' || value === '') return undefined;
  if (step.below) {
    const other = facts[step.below];
    if (typeof value === 'number' && typeof other === 'number' && value >= other)
      return { reason: 'moneyNotBelow', fact: step.below };
  }
  if (step.notBefore) {
    const other = facts[step.notBefore];
    if (typeof value === 'string' && typeof other === 'string' && other !== '' && value < other)
      return { reason: 'dateBeforeFirst', fact: step.notBefore };
  }
  return undefined;
}
