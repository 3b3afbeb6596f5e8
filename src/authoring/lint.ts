import { isExtractable } from '../flow/story.js';
import { isMap, isScalar, parseDocument, LineCounter, type Document } from 'yaml';
import { parseCommand } from '../core/commands.js';
import { normalize } from '../core/interpret/normalize.js';
import { LANGS, type Lang } from '../shared/types.js';
import { factsRead, type Condition } from '../flow/conditions.js';
import {
  automaticLoops,
  branchConditions,
  edges,
  reachableSteps,
  stepsWithoutWayToEnd,
  successors,
} from '../flow/graph.js';
import {
  hasInlineWords,
  inlineWords,
  requiredFlowKeys,
  unfinishedWords,
  wordPlaces,
} from '../flow/keys.js';
import { readFlowFolder } from '../flow/folder.js';
import { factSetters as setters, factsSet } from '../flow/facts.js';
import {
  automaticLoopMessage,
  FlowLoadError,
  formatProblem,
  parseYamlWith,
  referenceProblems,
  type FlowProblem,
  type Path,
} from '../flow/load.js';
import { flowSchema, type FlowDefinition } from '../flow/schema.js';

export type Severity = 'error' | 'warning';
export interface LintProblem extends FlowProblem {
  severity: Severity;
}

export interface SourceFile {
  file: string;
  text: string;
}

export interface LintInput {
  /** A flow file, or a flow folder's files (`flow.yaml` first). */
  flow: SourceFile | readonly SourceFile[];
  /** Locale files by language and namespace: `common` and the flow's own. */
  locales: Partial<Record<Lang, Record<string, SourceFile>>>;
}

export function formatLintProblem(p: LintProblem): string {
  return formatProblem({ ...p, message: `${p.severity}: ${p.message}` });
}

/** Variables every date fact adds (see render.ts). */
const COMPUTED_SUFFIXES = ['Plus90Days', 'Plus3Years', 'Plus1Year', 'Plus5Years'];

/**
 * Everything wrong with a flow and its words, at once, each located in the file where it must
 * be fixed. Errors fail the lint; warnings are advice.
 */
export function lintFlow(input: LintInput): LintProblem[] {
  let parsed;
  try {
    const [first] = Array.isArray(input.flow) ? input.flow : [input.flow as SourceFile];
    parsed = Array.isArray(input.flow)
      ? readFlowFolder(input.flow)
      : parseYamlWith(first?.text ?? '', first?.file ?? '', flowSchema);
  } catch (error) {
    if (error instanceof FlowLoadError)
      return error.problems.map((p) => ({ ...p, severity: 'error' as const }));
    throw error;
  }
  const { data: flow, locate } = parsed;
  const at = (severity: Severity, path: Path, message: string): LintProblem => ({
    ...locate(path, message),
    severity,
  });
  const problems: LintProblem[] = [...referenceProblems(flow), ...unfinishedWords(flow)].map(
    ([path, message]) => at('error', path, message),
  );
  if (problems.length > 0) return problems;
  const locales = openLocales(input, flow, locate);
  problems.push(
    ...structureProblems(flow, at),
    ...factProblems(flow, at),
    ...synonymProblems(flow, locales, at),
    ...exampleProblems(flow, at),
    ...localeProblems(flow, locales),
    ...placeholderProblems(flow, locales),
    ...endStepAdvice(flow, locales, at),
  );
  return problems.sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
}

type At = (severity: Severity, path: Path, message: string) => LintProblem;

function structureProblems(flow: FlowDefinition, at: At): LintProblem[] {
  const reachable = reachableSteps(flow);
  const stuck = new Set(stepsWithoutWayToEnd(flow));
  const loops = automaticLoops(flow).map((loop) =>
    at('error', ['steps', loop[0] as string], automaticLoopMessage(loop)),
  );
  return [
    ...loops,
    ...Object.keys(flow.steps).flatMap((id) => [
      ...(reachable.has(id)
        ? []
        : [at('error', ['steps', id], `step "${id}" cannot be reached from the start`)]),
      ...(stuck.has(id)
        ? [
            at(
              'error',
              ['steps', id],
              `step "${id}" has no way to an end step: a user here could never finish`,
            ),
          ]
        : []),
    ]),
  ];
}

/** Conditions must not read a fact that no earlier step can have set. */
function factProblems(flow: FlowDefinition, at: At): LintProblem[] {
  const definitely = definitelySetFacts(flow);
  const setters = factSetters(flow);
  const problems: LintProblem[] = [];
  for (const [id, step] of Object.entries(flow.steps)) {
    for (const [path, condition] of conditionsOf(step)) {
      for (const fact of factsRead(condition)) {
        const own = 'fact' in step && step.fact === fact;
        const before = (setters.get(fact) ?? []).some((s) => s === '*' || canReach(flow, s, id));
        if (!own && !before) {
          problems.push(
            at(
              'error',
              ['steps', id, ...path],
              `fact "${fact}" is read here, but no step before this one sets it`,
            ),
          );
        } else if (!own && !definitely.get(id)?.has(fact) && !readsOnlyKnown(condition, fact)) {
          problems.push(
            at(
              'warning',
              ['steps', id, ...path],
              `fact "${fact}" may not be set on every way to "${id}"`,
            ),
          );
        }
      }
    }
  }
  return problems;
}

/**
 * Whether every place the condition reads `fact` only asks if it is known (at any depth), or
 * sits in an `all` that also requires it known (`all: [factKnown: x, daysSinceMoreThan: x]`).
 */
function readsOnlyKnown(condition: Condition, fact: string): boolean {
  if ('factKnown' in condition) return true;
  if ('all' in condition)
    return (
      condition.all.some((c) => requiresKnown(c, fact)) ||
      condition.all.every((c) => readsOnlyKnown(c, fact))
    );
  if ('any' in condition) return condition.any.every((c) => readsOnlyKnown(c, fact));
  if ('not' in condition) return readsOnlyKnown(condition.not, fact);
  return !factsRead(condition).includes(fact);
}

function requiresKnown(condition: Condition, fact: string): boolean {
  if ('factKnown' in condition) return condition.factKnown.fact === fact;
  return 'all' in condition && condition.all.some((c) => requiresKnown(c, fact));
}

const conditionsOf = branchConditions;

function factSetters(flow: FlowDefinition): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { fact, stepId } of setters(flow)) {
    const step = stepId === undefined ? undefined : flow.steps[stepId];
    // An interrupt (and its confirmation question) can fire anywhere ('*': known anywhere);
    // the first message's story may state an extractable fact before any step.
    const where = !stepId ? ['*'] : step && isExtractable(step) ? [stepId, '*'] : [stepId];
    out.set(fact, stepId ? [...(out.get(fact) ?? []), ...where] : where);
  }
  return out;
}

function canReach(flow: FlowDefinition, from: string, to: string): boolean {
  const seen = new Set<string>();
  const queue = [...successors(flow.steps[from] ?? { type: 'end' })];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...successors(flow.steps[id] ?? { type: 'end' }));
  }
  return false;
}

/** For each step, the facts set on every way from the start to it (before it runs). */
export function definitelySetFacts(flow: FlowDefinition): Map<string, Set<string>> {
  const all = new Set(setters(flow).flatMap((s) => (s.stepId ? [s.fact] : [])));
  const ids = Object.keys(flow.steps);
  // Every way into a step, with what its branch condition guarantees is known when taken.
  const incoming = new Map<string, Array<{ from: string; known: Set<string> }>>(
    ids.map((id) => [id, []]),
  );
  for (const id of ids)
    for (const edge of edges(flow.steps[id] ?? { type: 'end' }))
      incoming.get(edge.to)?.push({
        from: id,
        known: new Set([
          ...(edge.when ? impliedKnown(edge.when) : []),
          ...(edge.unless ?? []).flatMap((c) => [...knownIfFalse(c)]),
        ]),
      });
  const state = new Map<string, Set<string>>(
    ids.map((id) => [id, id === flow.start ? new Set() : new Set(all)]),
  );
  for (let changed = true; changed;) {
    changed = false;
    for (const id of ids) {
      if (id === flow.start) continue;
      const sets = (incoming.get(id) ?? []).map(({ from, known }) => {
        const step = flow.steps[from];
        const out = new Set([...(state.get(from) ?? []), ...known]);
        if (step && 'fact' in step && step.fact) out.add(step.fact);
        return out;
      });
      const next =
        sets.length === 0
          ? new Set<string>()
          : sets.reduce((a, b) => new Set([...a].filter((f) => b.has(f))));
      if (next.size !== state.get(id)?.size) {
        state.set(id, next);
        changed = true;
      }
    }
  }
  return state;
}

/**
 * Facts that must be known when a condition holds: any test of a fact's value or date holds
 * only when it is set, `all` guarantees what any part does, `any` what every part does, and
 * `not` nothing. So a step reached only through `factKnown: lastPaidOn` may show it.
 */
function impliedKnown(condition: Condition): Set<string> {
  if ('all' in condition) return new Set(condition.all.flatMap((c) => [...impliedKnown(c)]));
  if ('any' in condition) {
    const parts = condition.any.map(impliedKnown);
    return parts.length === 0
      ? new Set()
      : parts.reduce((a, b) => new Set([...a].filter((f) => b.has(f))));
  }
  if ('not' in condition) return new Set();
  return new Set(factsRead(condition));
}

/**
 * Facts that must be known when a condition is false (an earlier branch not taken): only a
 * `not` says anything ("not factKnown X" false means X is known); `any` false means every
 * part is false, `all` false only that one part is.
 */
function knownIfFalse(condition: Condition): Set<string> {
  if ('not' in condition) return impliedKnown(condition.not);
  if ('any' in condition) return new Set(condition.any.flatMap((c) => [...knownIfFalse(c)]));
  if ('all' in condition) {
    const parts = condition.all.map(knownIfFalse);
    return parts.reduce((a, b) => new Set([...a].filter((f) => b.has(f))));
  }
  return new Set();
}

/**
 * One namespace of words, wherever it is written: a locale file, or a flow's inline texts.
 * `locate` finds the line of a key (or of the nearest thing that exists).
 */
interface OpenLocale {
  file: string;
  data: unknown;
  /** The file could not be read (not valid JSON): where, and why. */
  error?: FlowProblem;
  /** Inline words: a missing key is reported by the flow's own check, at its step. */
  inline?: boolean;
  locate(key: string): FlowProblem;
}
type Locales = Partial<Record<Lang, { common?: OpenLocale; flow?: OpenLocale }>>;

function openLocales(
  input: LintInput,
  flow: FlowDefinition,
  locate: (path: Path, message: string) => FlowProblem,
): Locales {
  const open = (source: SourceFile | undefined): OpenLocale | undefined => {
    if (!source) return undefined;
    const lines = new LineCounter();
    const doc = parseDocument(source.text, { lineCounter: lines });
    const first = doc.errors[0];
    const pos = (offset: number) => lines.linePos(offset);
    return {
      file: source.file,
      data: first ? undefined : doc.toJS(),
      ...(first
        ? {
            error: {
              file: source.file,
              line: pos(first.pos[0]).line,
              column: pos(first.pos[0]).col,
              message: `not valid JSON: ${first.message.split('\n')[0]}`,
            },
          }
        : {}),
      locate: (key) => {
        const node = deepestNode(doc, key.split('.'));
        const at = pos((node as { range?: [number] } | undefined)?.range?.[0] ?? 0);
        return { file: source.file, line: at.line, column: at.col, message: '' };
      },
    };
  };
  const inline = hasInlineWords(flow) ? inlineWords(flow) : undefined;
  const places = new Map(wordPlaces(flow).map((p) => [p.key, p.text ? p.path : p.owner]));
  for (const [group, texts] of Object.entries(flow.words ?? {}))
    for (const name of Object.keys(texts)) places.set(`${group}.${name}`, ['words', group, name]);
  const ownWords = (lang: Lang): OpenLocale | undefined => {
    if (!inline) return open(input.locales[lang]?.[flow.id]);
    const at = (key: string) => {
      const path = places.get(key);
      return locate(path ? [...path, lang] : [], '');
    };
    return { file: at('').file, data: inline[lang], inline: true, locate: at };
  };
  return Object.fromEntries(
    LANGS.map((lang) => [
      lang,
      { common: open(input.locales[lang]?.common), flow: ownWords(lang) },
    ]),
  );
}

function deepestNode(doc: Document, path: string[]): unknown {
  for (let depth = path.length; depth >= 0; depth--) {
    const found = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (found && (isScalar(found) || isMap(found))) return found;
  }
  return undefined;
}

function localeAt(
  locale: OpenLocale,
  key: string,
  severity: Severity,
  message: string,
): LintProblem {
  return { ...locale.locate(key), message, severity };
}

function leaves(tree: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof tree === 'string') return out.set(prefix, tree);
  if (!tree || typeof tree !== 'object') return out;
  for (const [k, v] of Object.entries(tree))
    for (const [kk, vv] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  return out;
}

function localeProblems(flow: FlowDefinition, locales: Locales): LintProblem[] {
  const problems: LintProblem[] = [];
  const required = requiredFlowKeys(flow);
  for (const lang of LANGS) {
    for (const ns of ['common', 'flow'] as const) {
      const locale = locales[lang]?.[ns];
      const name = ns === 'flow' ? flow.id : 'common';
      if (!locale) {
        problems.push({
          file: `locales/${lang}/${name}.json`,
          line: 1,
          column: 1,
          severity: 'error',
          message: `missing file for ${lang}`,
        });
        continue;
      }
      if (locale.error) problems.push({ ...locale.error, severity: 'error' });
    }
    const own = locales[lang]?.flow;
    if (!own?.data) continue;
    const keys = leaves(own.data);
    for (const key of required)
      if (!keys.has(key) && !own.inline)
        problems.push(localeAt(own, key, 'error', `missing key "${key}" in ${lang}`));
    // A block the flow's own texts include with $t(<flow id>:…) is used too.
    const nested = new Set(
      [...keys.values()].flatMap((text) =>
        [...text.matchAll(/\$t\(([^:),]+):([^),]+)/g)]
          .filter((m) => m[1] === flow.id)
          .map((m) => m[2] ?? ''),
      ),
    );
    for (const key of keys.keys())
      if (!required.includes(key) && !nested.has(key))
        problems.push(localeAt(own, key, 'warning', `unused key "${key}": no step uses it`));
  }
  // A copyable text is fenced by two `---` lines; an unclosed fence would make the rest of the
  // text part of what the user copies.
  for (const lang of LANGS)
    for (const ns of ['common', 'flow'] as const) {
      const file = locales[lang]?.[ns];
      if (!file?.data) continue;
      for (const [key, text] of leaves(file.data)) {
        const fences = text.split('\n').filter((line) => /^[ \t]*---[ \t]*$/.test(line)).length;
        if (fences % 2 !== 0)
          problems.push(localeAt(file, key, 'error', 'a copyable text needs a closing "---" line'));
      }
    }
  // Both languages must say the same things with the same placeholders.
  const [first, ...others] = LANGS;
  for (const ns of ['common', 'flow'] as const) {
    const base = locales[first]?.[ns];
    if (!base?.data) continue;
    const baseLeaves = leaves(base.data);
    for (const lang of others) {
      const other = locales[lang]?.[ns];
      if (!other?.data) continue;
      const otherLeaves = leaves(other.data);
      for (const [key, text] of baseLeaves) {
        const counterpart = otherLeaves.get(key);
        if (counterpart === undefined) {
          if (ns === 'common')
            problems.push(
              localeAt(other, key, 'error', `missing key "${key}" (present in ${first})`),
            );
          continue;
        }
        const a = placeholders(text).join(' ');
        const b = placeholders(counterpart).join(' ');
        if (a !== b)
          problems.push(
            localeAt(other, key, 'error', `placeholders differ from ${first}: [${b}] vs [${a}]`),
          );
      }
      if (ns === 'common') {
        for (const key of otherLeaves.keys())
          if (!baseLeaves.has(key))
            problems.push(
              localeAt(base, key, 'error', `missing key "${key}" (present in ${lang})`),
            );
      }
    }
  }
  return problems;
}

/**
 * The placeholders and nested keys a text uses, each once. `{{amountZh}}` counts as
 * `{{amount}}`: it is the same fact, written in Chinese for a text the user sends on.
 */
export function placeholders(text: string): string[] {
  const found = [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}|\$t\(([^)]+)\)/g)].map((m) =>
    m[1] ? `{{${m[1].replace(/Zh$/, '')}}}` : m[0],
  );
  return [...new Set(found)].sort();
}

/** A `{{fact}}` must name a fact (or a computed date) that is set whenever the text is shown. */
function placeholderProblems(flow: FlowDefinition, locales: Locales): LintProblem[] {
  const facts = factsSet(flow);
  const dateFacts = Object.values(flow.steps).flatMap((s) =>
    s.type === 'input' && s.input === 'date' ? [s.fact] : [],
  );
  const plain = [
    ...facts,
    ...dateFacts.flatMap((f) => COMPUTED_SUFFIXES.map((s) => `${f}${s}`)),
    ...Object.keys(flow.phrases ?? {}),
  ];
  const known = new Set([...plain, ...plain.map((n) => `${n}Zh`), 'count']);
  const definitely = definitelySetFacts(flow);
  const problems: LintProblem[] = [];
  for (const lang of LANGS) {
    const own = locales[lang]?.flow;
    if (!own?.data) continue;
    for (const [key, text] of leaves(own.data)) {
      const stepId = /^steps\.([^.]+)\.prompt$/.exec(key)?.[1];
      for (const m of text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)) {
        const name = m[1] ?? '';
        // A confirmation question names the phrase that was noticed.
        const confirming =
          /^interrupts\.[^.]+\.(?:confirm|prompt)$/.test(key) && name === 'noticed';
        if (!known.has(name) && !confirming) {
          problems.push(
            localeAt(own, key, 'error', `unknown placeholder {{${name}}}: no fact has that name`),
          );
          continue;
        }
        const base = [...COMPUTED_SUFFIXES, 'Zh'].reduce(
          (n, s) => (n.endsWith(s) ? n.slice(0, -s.length) : n),
          name,
        );
        if (stepId && facts.has(base) && !definitely.get(stepId)?.has(base)) {
          problems.push(
            localeAt(
              own,
              key,
              'warning',
              `{{${name}}} may be shown unfilled: "${base}" is not set on every way to "${stepId}"`,
            ),
          );
        }
      }
    }
  }
  return problems;
}

/** Two options of one step must not share a word, or the answer is a coin toss. */
function synonymProblems(flow: FlowDefinition, locales: Locales, at: At): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const [id, step] of Object.entries(flow.steps)) {
    if (step.type !== 'choice') continue;
    const owner = new Map<string, string>();
    step.options.forEach((option, index) => {
      const labels = LANGS.map(
        (lang) => leaves(locales[lang]?.flow?.data).get(`steps.${id}.options.${option.id}`) ?? '',
      );
      const words = [...labels, ...Object.values(option.synonyms ?? {}).flat()]
        .map(normalize)
        .filter(Boolean);
      for (const word of new Set(words)) {
        const other = owner.get(word);
        if (other && other !== option.id) {
          problems.push(
            at(
              'error',
              ['steps', id, 'options', index],
              `"${word}" belongs to both option "${other}" and option "${option.id}"`,
            ),
          );
        }
        owner.set(word, option.id);
        if (parseCommand(word))
          problems.push(
            at(
              'warning',
              ['steps', id, 'options', index],
              `"${word}" is also a command; the command wins`,
            ),
          );
      }
    });
  }
  return problems;
}

/** Fewer examples than this in a language leave an intent to its label and the rules. */
export const MIN_EXAMPLES = 10;

type Group = [intent: string, path: Path, byLang: Partial<Record<string, string[]>>];

/**
 * The classifier's examples: one message under two intents of a step teaches it nothing but
 * doubt, examples in one language only leave the other to the rules, and fewer than
 * MIN_EXAMPLES per language are too few to learn from. The same for the commands (whose
 * negatives are every answer of the flow: an answer's example under a command collides) and
 * for each signal read by meaning.
 */
function exampleProblems(flow: FlowDefinition, at: At): LintProblem[] {
  const problems: LintProblem[] = [];
  const answers: Group[] = [];
  for (const [id, step] of Object.entries(flow.steps)) {
    const groups: Group[] = [];
    if (step.type === 'choice') {
      const any = Boolean(step.examples) || step.options.some((o) => o.examples);
      step.options.forEach((o, index) => {
        if (o.examples)
          groups.push([o.id, ['steps', id, 'options', index, 'examples'], o.examples]);
        else if (any)
          problems.push(
            at(
              'warning',
              ['steps', id, 'options', index],
              `"${o.id}" has no examples; the classifier knows it by its label alone`,
            ),
          );
      });
      if (step.examples?.none)
        groups.push(['none', ['steps', id, 'examples', 'none'], step.examples.none]);
    } else if (step.type === 'input' && step.examples) {
      for (const [intent, byLang] of Object.entries(step.examples))
        if (byLang) groups.push([intent, ['steps', id, 'examples', intent], byLang]);
    }
    problems.push(...groupProblems(groups, at));
    answers.push(...groups);
  }
  const commands = flow.commands?.examples;
  if (commands) {
    const groups = Object.entries(commands).flatMap(([intent, byLang]): Group[] =>
      byLang ? [[intent, ['commands', 'examples', intent], byLang]] : [],
    );
    // An answer the flow already labels is a command's negative: under a command it collides.
    const taken = new Map(
      answers.flatMap(([intent, , byLang]) =>
        Object.values(byLang)
          .flat()
          .map((e) => [normalize(e ?? ''), intent] as const),
      ),
    );
    for (const [intent, path, byLang] of groups) {
      if (intent === 'none') continue;
      for (const example of Object.values(byLang).flat()) {
        const other = taken.get(normalize(example ?? ''));
        if (other !== undefined)
          problems.push(
            at(
              'warning',
              path,
              `the example "${example}" is under "${intent}" and is an answer ("${other}")`,
            ),
          );
      }
    }
    problems.push(...groupProblems(groups, at));
  }
  (flow.interrupts ?? []).forEach((interrupt, index) => {
    const examples = interrupt.examples;
    if (!examples) return;
    problems.push(
      ...groupProblems(
        [
          ['signal', ['interrupts', index, 'examples', 'signal'], examples.signal],
          ['none', ['interrupts', index, 'examples', 'none'], examples.none],
        ],
        at,
      ),
    );
  });
  return problems;
}

/** One set of intents (a step's, the commands', a signal's): languages, counts, collisions. */
function groupProblems(groups: readonly Group[], at: At): LintProblem[] {
  const problems: LintProblem[] = [];
  const owner = new Map<string, string>();
  for (const [intent, path, byLang] of groups) {
    const missing = LANGS.filter((lang) => (byLang[lang] ?? []).length === 0);
    if (missing.length > 0 && missing.length < LANGS.length)
      problems.push(at('warning', path, `"${intent}" has no examples in ${missing.join(', ')}`));
    // Negatives (`none`) are as many as there are; an intent needs enough of its own.
    const few = LANGS.flatMap((lang) => {
      const count = (byLang[lang] ?? []).length;
      return intent !== 'none' && count > 0 && count < MIN_EXAMPLES ? [`${count} in ${lang}`] : [];
    });
    if (few.length > 0)
      problems.push(
        at(
          'warning',
          path,
          `"${intent}" has too few examples (${few.join(', ')}); at least ${MIN_EXAMPLES} per language teach the classifier`,
        ),
      );
    for (const example of new Set(
      Object.values(byLang)
        .flat()
        .map((e) => normalize(e ?? '')),
    )) {
      const other = owner.get(example);
      if (other !== undefined && other !== intent)
        problems.push(
          at('warning', path, `the example "${example}" is under both "${other}" and "${intent}"`),
        );
      owner.set(example, intent);
    }
  }
  return problems;
}

function endStepAdvice(flow: FlowDefinition, locales: Locales, at: At): LintProblem[] {
  return Object.entries(flow.steps).flatMap(([id, step]) => {
    // A hand-over is not the plan: the flow it hands to ends with one.
    if (step.type !== 'end' || step.handover) return [];
    const texts = LANGS.map(
      (lang) => leaves(locales[lang]?.flow?.data).get(`steps.${id}.prompt`) ?? '',
    );
    const advice: LintProblem[] = [];
    if (texts.some((t) => !t.includes(`$t(${flow.id}:plan.evidence)`)))
      advice.push(
        at(
          'warning',
          ['steps', id],
          `end step "${id}" has no evidence checklist ($t(${flow.id}:plan.evidence))`,
        ),
      );
    if (texts.some((t) => !t.includes(`$t(${flow.id}:plan.disclaimer)`)))
      advice.push(
        at(
          'warning',
          ['steps', id],
          `end step "${id}" has no disclaimer ($t(${flow.id}:plan.disclaimer))`,
        ),
      );
    return advice;
  });
}
