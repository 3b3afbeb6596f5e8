import type { Path } from './path.js';
import { automaticLoops, nexts, stepsWithoutWayToEnd } from './graph.js';
import { LineCounter, parseDocument, isNode, isScalar, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { flowSchema, type FlowDefinition, type Next, type Step } from './schema.js';
import { factsRead, leafConditionSchemas, type Condition } from './conditions.js';
import { unfinishedWords } from './keys.js';
import { factsSet as factsSetBy } from './facts.js';
import { FlowLoadError, type FlowProblem } from './problems.js';

export { FlowLoadError, formatProblem, type FlowProblem } from './problems.js';

export type { Path } from './path.js';

/**
 * Parses and validates a flow. Reports every problem at once, because a volunteer fixing a
 * flow should not have to run the loader ten times to find ten typos.
 */
export function parseFlow(text: string, file: string): FlowDefinition {
  const { data, locate } = parseYamlWith(text, file, flowSchema);
  return checkedFlow(data, locate);
}

/** What every flow must pass once it is one value, whether from one file or a folder. */
export function checkedFlow(
  data: FlowDefinition,
  locate: (path: Path, message: string) => FlowProblem,
): FlowDefinition {
  const problems = [...referenceProblems(data), ...unfinishedWords(data)].map(([path, message]) =>
    locate(path, message),
  );
  if (problems.length > 0) throw new FlowLoadError(sortProblems(problems));
  // A user who reaches such a step could never finish: refused at load, not only by lint.
  const stuck = stepsWithoutWayToEnd(data).map((id) =>
    locate(['steps', id], `step "${id}" can never reach an end step`),
  );
  // The engine would walk such a loop on every message until its bound, and never end.
  const loops = automaticLoops(data).map((loop) =>
    locate(['steps', loop[0] as string], automaticLoopMessage(loop)),
  );
  if (stuck.length + loops.length > 0) throw new FlowLoadError(sortProblems([...stuck, ...loops]));
  return data;
}

/** Why a loop of message steps is refused, for the loader and the lint. */
export function automaticLoopMessage(loop: readonly string[]): string {
  const way = [...loop, loop[0]].map((id) => `"${id}"`).join(' → ');
  return `steps ${way} loop without a question: a message sets no fact, so a conversation that comes here goes round forever; lead one of them to a question or an end`;
}

/**
 * The document as plain data. The yaml library reports an alias used before its anchor
 * (`next: *cost` above `&cost`) only here, as a bare ReferenceError: it becomes a located
 * problem like any other, so an author sees the line, not a crash.
 */
function plainData(
  doc: Document,
  text: string,
  at: (offset: number, message: string) => FlowProblem,
): unknown {
  try {
    return doc.toJS();
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const alias = /alias[^:]*:\s*(\S+)/i.exec(error.message)?.[1];
    const offset = alias ? text.search(new RegExp(`\\*${alias.replace(/\W/g, '\\$&')}\\b`)) : -1;
    throw new FlowLoadError([
      at(
        Math.max(0, offset),
        alias
          ? `*${alias} is used before &${alias} is set: move the step with &${alias} above this one, or write the list out here`
          : error.message,
      ),
    ]);
  }
}

/** YAML text validated by a schema; every problem located as file:line:column. */
export function parseYamlWith<T>(
  text: string,
  file: string,
  schema: z.ZodType<T>,
): { data: T; locate: (path: Path, message: string) => FlowProblem } {
  const lineCounter = new LineCounter();
  // Duplicate keys are found here, not by the parser: its check compares each key with every
  // key before it in the map, so a flow of thousands of steps took seconds to parse.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const at = (offset: number, message: string): FlowProblem => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col, message };
  };
  const errors = [
    ...doc.errors.map((e) => ({ offset: e.pos[0], message: yamlMessage(e.code, e.message) })),
    ...duplicateKeys(doc).map((offset) => ({ offset, message: yamlMessage('DUPLICATE_KEY', '') })),
  ].sort((a, b) => a.offset - b.offset);
  if (errors.length > 0) throw new FlowLoadError(errors.map((e) => at(e.offset, e.message)));
  const locate = (path: Path, message: string): FlowProblem => at(offsetOf(doc, path), message);
  const parsed = schema.safeParse(plainData(doc, text, at));
  if (parsed.success) return { data: parsed.data, locate };
  const issues = parsed.error.issues.flatMap((i) => mostSpecific(i, []));
  const message = (i: Issue) => {
    const path = i.path as Path;
    const field = path.at(-1);
    const missing =
      path.length > 0 &&
      !doc.hasIn(path) &&
      (i.code === 'invalid_type' || i.code === 'invalid_union');
    return missing
      ? `${path.slice(0, -1).join('.')}: missing field "${String(field)}"`
      : schemaMessage(i);
  };
  throw new FlowLoadError(sortProblems(issues.map((i) => locate(i.path as Path, message(i)))));
}

/** Where a key is written a second time in the same map, in one pass over each map. */
function duplicateKeys(doc: Document): number[] {
  const out: number[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) out.push(key.range?.[0] ?? 0);
        seen.add(key.value);
      }
    },
  });
  return out;
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate id: this key appears twice in the same map';
  return `YAML syntax: ${message.split('\n')[0] ?? message}`;
}

type Issue = z.core.$ZodIssue;

/**
 * A union ("a step id or a list of branches", "one of the conditions") fails as a whole;
 * the useful message is the one from the alternative that got furthest.
 */
function mostSpecific(issue: Issue, prefix: Path): Issue[] {
  const path: Path = [...prefix, ...(issue.path as Path)];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0)
    return [{ ...issue, path } as Issue];
  // An alternative that rejects the object's key names is the wrong alternative entirely.
  const wrongKeys = (list: Issue[]) =>
    list.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0);
  const candidates = issue.errors.filter((list) => !wrongKeys(list));
  if (candidates.length === 0) {
    return [
      { ...issue, path, message: `unknown condition; use one of: ${CONDITION_NAMES}` } as Issue,
    ];
  }
  const depth = (list: Issue[]) => Math.max(...list.map((i) => i.path.length));
  const best = candidates.reduce((a, b) => (depth(b) > depth(a) ? b : a));
  if (depth(best) === 0) return [{ ...issue, path } as Issue];
  return best.flatMap((i) => mostSpecific(i, path));
}

const CONDITION_NAMES = [...Object.keys(leafConditionSchemas), 'all', 'any', 'not'].join(', ');

function schemaMessage(issue: Issue): string {
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  if (issue.code === 'unrecognized_keys')
    return `${where}unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${where}${issue.message}`;
}

export function sortProblems(problems: FlowProblem[]): FlowProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The offset of the deepest node on `path` that exists (a missing field points at its parent). */
function offsetOf(doc: Document, path: Path): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

/** Cross-references the schema cannot express: targets exist, facts are set somewhere, … */
export function referenceProblems(flow: FlowDefinition): Array<[Path, string]> {
  const problems: Array<[Path, string]> = [];
  const steps = new Map(Object.entries(flow.steps));
  const factsSet = factsSetBy(flow);
  (flow.interrupts ?? []).forEach((interrupt, i) => {
    // A notice is shown once: its fact is what remembers that it was.
    if (interrupt.notice && !interrupt.fact)
      problems.push([['interrupts', i, 'notice'], 'a notice needs a `fact` to be shown only once']);
    (interrupt.notAt ?? []).forEach((stepId, j) => {
      if (!steps.has(stepId))
        problems.push([['interrupts', i, 'notAt', j], `unknown step "${stepId}"`]);
    });
    const confirm = interrupt.confirm;
    if (confirm) {
      if (interrupt.notice)
        problems.push([['interrupts', i, 'confirm'], 'a notice asks nothing: drop `confirm`']);
      if (!steps.has(confirm.to))
        problems.push([['interrupts', i, 'confirm', 'to'], `unknown step "${confirm.to}"`]);
      confirm.after.forEach((fact, j) => {
        if (!factsSet.has(fact))
          problems.push([
            ['interrupts', i, 'confirm', 'after', j],
            `unknown fact "${fact}": no step sets it`,
          ]);
      });
    }
  });
  for (const [stepId, step] of steps) {
    if (step.type !== 'input') continue;
    const checks: Array<['strict' | 'below' | 'notBefore', boolean]> = [
      ['strict', step.input === 'yesno'],
      ['below', step.input === 'money'],
      ['notBefore', step.input === 'date'],
    ];
    for (const [key, allowed] of checks) {
      if (step[key] === undefined || step[key] === false) continue;
      if (!allowed)
        problems.push([
          ['steps', stepId, key],
          `\`${key}\` applies to ${key === 'strict' ? 'yesno' : key === 'below' ? 'money' : 'date'} steps only`,
        ]);
      const other = step[key];
      if (typeof other === 'string' && !factsSet.has(other))
        problems.push([['steps', stepId, key], `unknown fact "${other}": no step sets it`]);
    }
  }
  if (flow.escalate) {
    const { to, end, intake, when } = flow.escalate;
    if (!steps.has(to)) problems.push([['escalate', 'to'], `unknown step "${to}"`]);
    if (steps.get(end)?.type !== 'end')
      problems.push([['escalate', 'end'], `"${end}" is not an end step`]);
    if (!intake.includes(to))
      problems.push([
        ['escalate', 'to'],
        `"${to}" must be one of the intake steps, or escalating would loop`,
      ]);
    intake.forEach((stepId, j) => {
      if (!steps.has(stepId))
        problems.push([['escalate', 'intake', j], `unknown step "${stepId}"`]);
    });
    for (const fact of factsRead(when)) {
      if (!factsSet.has(fact))
        problems.push([['escalate', 'when'], `unknown fact "${fact}": no step sets it`]);
    }
  }
  for (const [name, variants] of Object.entries(flow.phrases ?? {})) {
    variants.forEach((variant, j) => {
      for (const fact of variant.when ? factsRead(variant.when) : []) {
        if (!factsSet.has(fact))
          problems.push([['phrases', name, j, 'when'], `unknown fact "${fact}": no step sets it`]);
      }
      if (variant.when && /days?Since|yearsSince/.test(JSON.stringify(variant.when))) {
        problems.push([
          ['phrases', name, j, 'when'],
          'a phrase may test facts, not how long ago a date was',
        ]);
      }
    });
    if (variants.at(-1)?.when)
      problems.push([
        ['phrases', name],
        'the last variant must have no "when", so the phrase always has words',
      ]);
  }
  (flow.caseFile ?? []).forEach((entry, i) => {
    for (const fact of entry.when ? factsRead(entry.when) : []) {
      if (!factsSet.has(fact))
        problems.push([['caseFile', i, 'when'], `unknown fact "${fact}": no step sets it`]);
    }
  });

  if (!steps.has(flow.start)) problems.push([['start'], `unknown step "${flow.start}"`]);
  for (const [stepId, step] of steps) {
    for (const [path, next] of nextsOf(step)) {
      problems.push(...checkNext(next, ['steps', stepId, ...path], steps, factsSet));
    }
    if (step.type === 'choice') {
      const seen = new Set<string>();
      step.options.forEach((option, index) => {
        if (seen.has(option.id))
          problems.push([
            ['steps', stepId, 'options', index, 'id'],
            `duplicate option id "${option.id}"`,
          ]);
        seen.add(option.id);
        if (!option.next && !step.next) {
          problems.push([
            ['steps', stepId, 'options', index],
            `option "${option.id}" has no next, and the step has none either`,
          ]);
        }
      });
    }
  }
  return problems;
}

function nextsOf(step: Step): Array<[Path, Next]> {
  return nexts(step).map(({ path, next }) => [path, next]);
}

function checkNext(
  next: Next,
  path: Path,
  steps: Map<string, Step>,
  factsSet: Set<string>,
): Array<[Path, string]> {
  if (typeof next === 'string') return steps.has(next) ? [] : [[path, `unknown step "${next}"`]];
  const problems: Array<[Path, string]> = [];
  next.forEach((branch, i) => {
    if (!steps.has(branch.to)) problems.push([[...path, i, 'to'], `unknown step "${branch.to}"`]);
    if (branch.when) {
      for (const fact of factsRead(branch.when as Condition)) {
        if (!factsSet.has(fact))
          problems.push([[...path, i, 'when'], `unknown fact "${fact}": no step sets it`]);
      }
    }
  });
  if (next.at(-1)?.when) {
    problems.push([
      [...path, next.length - 1],
      'the last entry of next must have no "when", so the conversation can always go on',
    ]);
  }
  return problems;
}
