import { LANGS, type Lang } from '../shared/types.js';
import type { Path } from './path.js';
import type { FlowDefinition, Text } from './schema.js';
import { factSetters } from './facts.js';

type Tree = { [key: string]: unknown };

/**
 * One text a flow needs: its i18next key in the flow's namespace, where its words are written
 * in the flow (`path`, a `text` field beside what it belongs to), and those words if written
 * there. This is the one place the key convention lives: the loader, the lint, the converter
 * and the runtime all read it from here.
 */
export interface WordPlace {
  key: string;
  path: Path;
  text: Text | undefined;
  /** What the words belong to: where a missing text is reported. */
  owner: Path;
}

export function wordPlaces(flow: FlowDefinition): WordPlace[] {
  const out = new Map<string, WordPlace>();
  const add = (
    key: string,
    path: Path,
    text: Text | undefined,
    owner: Path = path.slice(0, -1),
  ) => {
    const seen = out.get(key);
    // The same key twice (a fact set by two steps, a phrase variant used twice): the first
    // place with words is where they live.
    if (!seen || (!seen.text && text)) out.set(key, { key, path, text, owner });
  };
  // A fact's name is written once, under `facts:`, whichever steps set it.
  const setsFact = (fact: string, setter: Path) =>
    add(`facts.${fact}`, ['facts', fact], flow.facts?.[fact], setter);
  for (const [stepId, step] of Object.entries(flow.steps)) {
    const at: Path = ['steps', stepId];
    if (!(step.type === 'message' && step.silent))
      add(`steps.${stepId}.prompt`, [...at, 'text'], step.text);
    if (step.type === 'choice')
      step.options.forEach((o, i) =>
        add(`steps.${stepId}.options.${o.id}`, [...at, 'options', i, 'text'], o.text),
      );
  }
  (flow.interrupts ?? []).forEach((i, n) => {
    const at: Path = ['interrupts', n];
    add(`interrupts.${i.id}.prompt`, [...at, 'text'], i.text);
    if (i.confirm) add(`interrupts.${i.id}.confirm`, [...at, 'confirm', 'text'], i.confirm.text);
  });
  for (const { fact, path } of factSetters(flow)) setsFact(fact, path);
  (flow.caseFile ?? []).forEach((entry, n) =>
    add(`caseFile.${entry.id}`, ['caseFile', n, 'text'], entry.text),
  );
  for (const [name, variants] of Object.entries(flow.phrases ?? {}))
    variants.forEach((v, n) =>
      add(`phrases.${name}.${v.use}`, ['phrases', name, n, 'text'], v.text),
    );
  return [...out.values()];
}

/** The locale keys a flow needs (see the convention in docs/authoring-flows.md), without namespace. */
export function requiredFlowKeys(flow: FlowDefinition): string[] {
  return wordPlaces(flow).map((p) => p.key);
}

/**
 * The flow's own words written inline, as one i18next namespace tree per language: every
 * `text` beside a step, option, interrupt, phrase or case-file line, plus `words`.
 */
export function inlineWords(flow: FlowDefinition): Record<Lang, Tree> {
  const trees = Object.fromEntries(LANGS.map((lang) => [lang, {}])) as Record<Lang, Tree>;
  const put = (key: string, text: Text | undefined) => {
    for (const lang of LANGS) {
      const words = text?.[lang];
      if (words !== undefined) setIn(trees[lang], key.split('.'), words);
    }
  };
  for (const place of wordPlaces(flow)) put(place.key, place.text);
  for (const [group, texts] of Object.entries(flow.words ?? {}))
    for (const [name, text] of Object.entries(texts)) put(`${group}.${name}`, text);
  return trees;
}

/** Whether the flow carries its words inline (a flow folder), not in `locales/`. */
export function hasInlineWords(flow: FlowDefinition): boolean {
  return wordPlaces(flow).some((p) => p.text !== undefined) || flow.words !== undefined;
}

/**
 * Inline words an author must finish: a text present in one language only, or (for a flow
 * that writes its words inline) a place with no words at all. Paths point at the `text`.
 */
export function unfinishedWords(flow: FlowDefinition): Array<[Path, string]> {
  if (!hasInlineWords(flow)) return [];
  const out: Array<[Path, string]> = [];
  const check = (path: Path, key: string, text: Text | undefined) => {
    if (!text) {
      out.push([path, `no words for "${key}": add text with ${LANGS.join(' and ')}`]);
      return;
    }
    const missing = LANGS.filter((lang) => text[lang] === undefined);
    const present = LANGS.filter((lang) => text[lang] !== undefined);
    if (missing.length > 0)
      out.push([
        path,
        `words in ${present.join(', ') || 'no language'} only: add ${missing.join(', ')}`,
      ]);
  };
  for (const place of wordPlaces(flow)) {
    // A missing text points at its owner (a `text` field that is not there has no line).
    check(place.text ? place.path : place.owner, place.key, place.text);
  }
  for (const [group, texts] of Object.entries(flow.words ?? {}))
    for (const [name, text] of Object.entries(texts))
      check(['words', group, name], `${group}.${name}`, text);
  return out;
}

export function missingFlowKeys(
  flow: FlowDefinition,
  resources: Record<string, unknown>,
): Array<{ lang: Lang; key: string }> {
  return LANGS.flatMap((lang) => {
    const ns = (resources[lang] as Tree | undefined)?.[flow.id] as Tree | undefined;
    return requiredFlowKeys(flow)
      .filter((key) => typeof lookup(ns, key) !== 'string')
      .map((key) => ({ lang, key }));
  });
}

function setIn(tree: Tree, path: string[], value: string): void {
  let node = tree;
  path.slice(0, -1).forEach((part) => {
    const next = node[part];
    node = (next && typeof next === 'object' ? next : (node[part] = {})) as Tree;
  });
  node[path.at(-1) ?? ''] = value;
}

function lookup(tree: Tree | undefined, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (node, part) => (node && typeof node === 'object' ? (node as Tree)[part] : undefined),
      tree,
    );
}
