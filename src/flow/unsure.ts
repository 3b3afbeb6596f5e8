import type { InputStep } from './schema.js';

/**
 * Whether a yes/no question takes "not sure" as an answer: its examples name it, or its
 * routing does (`factIn: { values: [true, unsure] }`). 「付款的人是未成年人吗？（回复「是」或
 * 「不是」）」 does neither, so a "不知道" there had silently gone the way of "no" (the adult
 * plan, "one payment", "not on a platform"); it is asked again instead.
 */
export function offersUnsure(step: InputStep): boolean {
  if (step.input !== 'yesno') return false;
  if (step.examples?.unsure !== undefined) return true;
  return namesUnsure(step.next, step.fact);
}

function namesUnsure(node: unknown, fact: string): boolean {
  if (Array.isArray(node)) return node.some((item) => namesUnsure(item, fact));
  if (node === null || typeof node !== 'object') return false;
  const {
    fact: named,
    value,
    values,
  } = node as { fact?: unknown; value?: unknown; values?: unknown };
  if (
    named === fact &&
    (value === 'unsure' || (Array.isArray(values) && values.includes('unsure')))
  )
    return true;
  return Object.values(node).some((child) => namesUnsure(child, fact));
}
