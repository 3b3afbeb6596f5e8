import { z } from 'zod';
import { CONDITIONS } from '../flow/conditions.js';

export const CONDITIONS_BEGIN =
  '<!-- conditions: generated from src/flow/conditions.ts by `npm run flow -- schema`; do not edit -->';
export const CONDITIONS_END = '<!-- /conditions -->';

/**
 * The conditions an author may write in `when:`, as a Markdown table, from the condition
 * table's own schemas and descriptions, so the guide for authors can never miss one.
 */
export function conditionReference(): string {
  const rows = Object.entries(CONDITIONS).map(([name, kind]) => {
    const params = Object.keys((kind.schema as unknown as z.ZodObject).shape)
      .map((p) => `\`${p}\``)
      .join(', ');
    return `| \`${name}\` | ${params} | ${kind.schema.description ?? ''} |`;
  });
  return [
    '| condition | parameters | holds when |',
    '| --- | --- | --- |',
    ...rows,
    '| `all` / `any` | a list of conditions | every one / at least one of them holds |',
    '| `not` | one condition | it does not hold |',
  ].join('\n');
}

/** The table between the markers, or undefined when the text has no markers. */
export function writtenReference(text: string): string | undefined {
  const start = text.indexOf(CONDITIONS_BEGIN);
  const end = text.indexOf(CONDITIONS_END);
  if (start < 0 || end < start) return undefined;
  return text.slice(start + CONDITIONS_BEGIN.length, end).trim();
}

/** A Markdown table's cells, whatever its column padding (prettier aligns the columns). */
export function tableCells(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.trim().startsWith('|'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^-+$/, '-')),
    );
}

/**
 * `text` with the block between the markers replaced by the current reference, or unchanged
 * when the written table already says the same (only its padding may differ).
 */
export function withConditionReference(text: string): string {
  const written = writtenReference(text);
  if (written === undefined) return text;
  const fresh = conditionReference();
  if (JSON.stringify(tableCells(written)) === JSON.stringify(tableCells(fresh))) return text;
  const start = text.indexOf(CONDITIONS_BEGIN);
  const end = text.indexOf(CONDITIONS_END);
  return `${text.slice(0, start)}${CONDITIONS_BEGIN}\n\n${fresh}\n\n${text.slice(end)}`;
}
