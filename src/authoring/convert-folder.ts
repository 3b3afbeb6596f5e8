import {
  Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  parseDocument,
  Scalar,
  visit,
  YAMLMap,
  type Node,
  type Pair,
} from 'yaml';
import { parseFlow } from '../flow/load.js';
import { wordPlaces } from '../flow/keys.js';
import { LANGS, type Lang } from '../shared/types.js';

type Tree = { [key: string]: unknown };

export interface ConvertInput {
  /** The single flow file (`flows/<id>.yaml`). */
  flowText: string;
  /** The flow's namespace from `locales/<lang>/<id>.json`, per language. */
  words: Record<Lang, Tree>;
  /** The file (without `.yaml`) a step goes to; `flow` keeps it in `flow.yaml`. */
  partOf: (stepId: string) => string;
}

export interface ConvertedFile {
  name: string;
  text: string;
}

/**
 * The one-time converter from a flow file plus its two locale files to a flow folder: every
 * text moves beside what it belongs to (both languages together), steps are split into one
 * file per branch, comments go with their steps, and an alias whose anchor ends up in another
 * file is written out there (YAML anchors do not cross files). The result loads to the same
 * flow and the same words, which the converter's test checks.
 */
export function convertToFolder(input: ConvertInput): ConvertedFile[] {
  const definition = parseFlow(input.flowText, 'flow.yaml');
  const doc = parseDocument(input.flowText, { keepSourceTokens: false });
  const anchors = anchoredNodes(doc);
  const used = new Set<string>();
  const textOf = (key: string) => {
    used.add(key);
    const text = new YAMLMap();
    for (const lang of LANGS) {
      const words = lookup(input.words[lang], key);
      if (typeof words === 'string') text.add(doc.createPair(lang, wordsScalar(words)));
    }
    return text;
  };
  const facts = new YAMLMap();
  for (const place of wordPlaces(definition)) {
    if (place.key.startsWith('facts.')) {
      facts.add(doc.createPair(place.key.slice('facts.'.length), textOf(place.key)));
      continue;
    }
    const owner = doc.getIn(place.path.slice(0, -1), true);
    if (!isMap(owner)) throw new Error(`no map at ${place.path.join('.')}`);
    insertAfter(owner, doc.createPair('text', textOf(place.key)), ['type', 'id', 'use']);
  }
  const rest = new YAMLMap();
  const keys = new Set(LANGS.flatMap((lang) => [...leaves(input.words[lang]).keys()]));
  for (const key of keys) {
    if (used.has(key)) continue;
    const [group, name, ...deeper] = key.split('.');
    if (!group || !name || deeper.length > 0)
      throw new Error(`"${key}" is not <group>.<name>: it cannot go under words`);
    let groupMap = rest.get(group, true) as YAMLMap | undefined;
    if (!groupMap) rest.add(doc.createPair(group, (groupMap = new YAMLMap())));
    groupMap.add(doc.createPair(name, textOf(key)));
  }
  const top = doc.contents as YAMLMap;
  const stepsIndex = top.items.findIndex((p) => isScalar(p.key) && p.key.value === 'steps');
  const extra = [
    ...(facts.items.length > 0 ? [doc.createPair('facts', facts)] : []),
    ...(rest.items.length > 0 ? [doc.createPair('words', rest)] : []),
  ];
  top.items.splice(stepsIndex, 0, ...extra);

  const steps = doc.get('steps', true) as YAMLMap;
  const parts = new Map<string, Pair[]>();
  const kept: Pair[] = [];
  for (const pair of steps.items as Pair[]) {
    const id = String((pair.key as Scalar).value);
    const part = input.partOf(id);
    if (part === 'flow') kept.push(pair);
    else parts.set(part, [...(parts.get(part) ?? []), pair]);
  }
  steps.items = kept;
  if (kept.length === 0) top.items = top.items.filter((p) => p.value !== steps);
  const files: ConvertedFile[] = [{ name: 'flow', text: render(doc, anchors) }];
  for (const [name, pairs] of parts) {
    const part = new Document({});
    const map = new YAMLMap();
    map.items = pairs;
    const root = new YAMLMap();
    root.add(part.createPair('steps', map));
    part.contents = root;
    part.commentBefore = ' yaml-language-server: $schema=../flow-part.schema.json';
    files.push({ name, text: render(part, anchors) });
  }
  return files;
}

/** Every anchored node of the source file, by anchor name, to write out where needed. */
function anchoredNodes(doc: Document): Map<string, Node> {
  const out = new Map<string, Node>();
  visit(doc, {
    Node(_key, node) {
      if (node.anchor) out.set(node.anchor, node);
    },
  });
  return out;
}

/**
 * A file as text, with every alias whose anchor is not earlier in the same file replaced by
 * a copy of the anchored node (keeping its anchor, so later aliases in the file still work).
 */
function render(doc: Document, anchors: Map<string, Node>): string {
  const defined = new Set<string>();
  visit(doc, {
    Node(_key, node, path) {
      if (isAlias(node)) {
        if (defined.has(node.source)) return undefined;
        const source = anchors.get(node.source);
        if (!source) throw new Error(`*${node.source} has no anchor`);
        defined.add(node.source);
        // Written out in block style (and the condition around it), so it reads as a list.
        for (const outer of [...path].reverse()) {
          if (isCollection(outer)) outer.flow = false;
          if (isPair(outer) && isScalar(outer.key) && outer.key.value === 'when') break;
        }
        const copy = source.clone() as Node;
        if (isCollection(copy)) copy.flow = false;
        return copy;
      }
      if (node.anchor) defined.add(node.anchor);
      return undefined;
    },
  });
  return doc.toString({ lineWidth: 100 });
}

/** Long and multi-line texts as YAML blocks, so a volunteer reads them as paragraphs. */
function wordsScalar(words: string): Scalar {
  const scalar = new Scalar(words);
  if (words.includes('\n')) scalar.type = Scalar.BLOCK_LITERAL;
  else if (words.length > 60) scalar.type = Scalar.BLOCK_FOLDED;
  return scalar;
}

function insertAfter(map: YAMLMap, pair: Pair, after: string[]): void {
  let at = 0;
  map.items.forEach((item, i) => {
    if (isPair(item) && isScalar(item.key) && after.includes(String(item.key.value))) at = i + 1;
  });
  map.items.splice(at, 0, pair);
}

function lookup(tree: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (node, part) => (node && typeof node === 'object' ? (node as Tree)[part] : undefined),
      tree,
    );
}

function leaves(tree: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof tree === 'string') return out.set(prefix, tree);
  if (!tree || typeof tree !== 'object') return out;
  for (const [k, v] of Object.entries(tree))
    for (const [kk, vv] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  return out;
}
