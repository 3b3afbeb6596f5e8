import type { CompiledFlow } from '../flow/compile.js';
import type { InputStep } from '../flow/schema.js';
import type { Facts } from '../shared/types.js';
import type { ModelBank } from './classify/bank.js';
import { features, modelOf, NONE } from './classify/index.js';
import { normalize, phraseFinder } from './interpret/index.js';

/**
 * The yes/no facts an opening story states ("他把我拉黑了" → canReach: no, "连着付了三次" →
 * severalPayments: yes), read by meaning: each yes/no step with `stories:` examples gets a
 * classifier (yes / no / none) trained on them, with every other step's story examples as
 * its negatives, and each clause of the story is ranked by it. A fact is taken only when one
 * clause says it with confidence and no clause says the opposite; a safety screen's fact
 * (`strict`) is only ever taken as "yes", its safer answer, never "no".
 */
export interface StoryYesNo {
  facts(text: string, except?: string): Facts;
}

/**
 * The lowest probability taken. Chosen on the dev stories of test/corpus/understanding.ts
 * (none wrong); a strict screen's "yes" needs more, as a false alarm costs the user a detour.
 */
export const STORY_TAKE = { yesno: 0.8, strict: 0.85, withPhrase: 0.5 };

// A clause ends at a stop, or at a space between Chinese words (「唔係 冇人催我」), or before
// a turn of the story (「结果」「但是」, "but").
const CLAUSE_BREAK =
  /[,，。.;；!！?？、:：\n]+|(?<=\p{Script=Han})\s+(?=\p{Script=Han})|(?=结果|但是|可是|不过|后来)|\s(?=(?:but|then|and|so|because)\s)/u;

// The turn word itself says nothing about the fact ("and they blocked me" is "they blocked me").
const LEADING_TURN = /^(?:结果|但是|可是|不过|后来|然后|(?:and|but|then|so|because)\s+)/u;

interface Reader {
  fact: string;
  strict: boolean;
  /** The likeliest intent for a clause's features (computed once for every reader). */
  top: (grams: readonly string[]) => { intent: string; p: number };
  /** Whether the step's phrases contradict reading `clause` as `intent`. */
  vetoes: (clause: string, intent: 'yes' | 'no') => boolean;
  /** Whether the step's phrases say `intent` in `clause`, not negated. */
  says: (clause: string, intent: string) => boolean;
}

const built = new WeakMap<CompiledFlow, Map<string, Reader>>();

export function createStoryYesNo(flow: CompiledFlow, bank?: ModelBank): StoryYesNo {
  // Taken from the bank (dist/flow-cache), else trained on the first story, not at start-up.
  const readers = () => {
    const known = built.get(flow);
    if (known) return known;
    const fresh = train(flow, bank);
    built.set(flow, fresh);
    return fresh;
  };
  return {
    facts(text, except) {
      const clauses = clausesOf(text).map((clause) => ({ clause, grams: features(clause) }));
      const out: Facts = {};
      if (clauses.length === 0) return out;
      for (const [stepId, reader] of readers()) {
        if (stepId === except || out[reader.fact] !== undefined) continue;
        const value = readFact(reader, clauses);
        if (value !== undefined) out[reader.fact] = value;
      }
      return out;
    },
  };
}

/** The story cut into clauses worth reading (two Chinese characters or two words at least). */
export function clausesOf(text: string): string[] {
  return normalize(text)
    .split(CLAUSE_BREAK)
    .map((c) => c.trim().replace(LEADING_TURN, ''))
    .filter((c) => (c.match(/\p{Script=Han}/gu)?.length ?? 0) >= 2 || /[a-z]+\s+[a-z]+/u.test(c));
}

function readFact(
  reader: Reader,
  clauses: ReadonlyArray<{ clause: string; grams: readonly string[] }>,
): boolean | undefined {
  const take = reader.strict ? STORY_TAKE.strict : STORY_TAKE.yesno;
  let yes = false;
  let no = false;
  for (const { clause, grams } of clauses) {
    const top = reader.top(grams);
    if (top.intent === NONE) continue;
    // Below the threshold, the model's reading stands only where the step's own phrase for
    // it is said too (「删了我」 is canReach "no" by the step's words and by the model).
    if (top.p < take && !(top.p >= STORY_TAKE.withPhrase && reader.says(clause, top.intent)))
      continue;
    // A safety check's "yes" from a story needs its own words too: the model alone took
    // 「我初中同学找我借钱」 for an impostor (test/safety-corpus.test.ts).
    if (reader.strict && !reader.says(clause, 'yes')) continue;
    // The step's own implication phrases veto a reading they contradict, or deny
    // (「没有拉黑我」 is not "blocked", whatever its characters share with it).
    if (top.intent === 'yes' && !reader.vetoes(clause, 'yes')) yes = true;
    else if (top.intent === 'no' && !reader.vetoes(clause, 'no')) no = true;
  }
  if (yes === no) return undefined;
  if (reader.strict) return yes ? true : undefined;
  return yes;
}

/** Each yes/no step with `stories:`, and the (balanced) examples its story reader learns. */
export function storyTrainingData(
  flow: CompiledFlow,
): Array<{ stepId: string; step: InputStep; pairs: Array<[string, string]> }> {
  const steps = Object.entries(flow.definition.steps).flatMap(([id, step]) =>
    // `story: false` (the safety screens) is never read from a story, not even its "yes".
    step.type === 'input' && step.input === 'yesno' && step.stories && step.story !== false
      ? [[id, step] as const]
      : [],
  );
  const all = (byLang: Partial<Record<string, string[]>> | undefined) =>
    Object.values(byLang ?? {}).flatMap((texts) => texts ?? []);
  const generic = Object.values(flow.definition.steps).flatMap((step) =>
    step.type === 'choice'
      ? [...step.options.map((o) => o.examples), step.examples?.none].flatMap(all)
      : [],
  );
  // Every text is the negative of every other step: normalized once, not once per step.
  const normalized = new Map<string, string>();
  const norm = (text: string) => {
    let n = normalized.get(text);
    if (n === undefined) normalized.set(text, (n = normalize(text)));
    return n;
  };
  return steps.map(([stepId, step]) => {
    const own = new Set<string>();
    const pairs: Array<[string, string]> = [];
    for (const intent of ['yes', 'no', 'none'] as const)
      for (const text of all(step.stories?.[intent])) {
        own.add(norm(text));
        pairs.push([text, intent === 'none' ? NONE : intent]);
      }
    // What the other facts' stories say is, for this fact, nothing — unless they use this
    // step's own phrases ("他把我拉黑了" is an example of no situation, but says canReach).
    const named = phraseFinder([...all(step.answers?.yes), ...all(step.answers?.no)]);
    for (const [otherId, other] of steps) {
      if (otherId === stepId || other.fact === step.fact) continue;
      for (const text of [
        ...all(other.stories?.yes),
        ...all(other.stories?.no),
        ...all(other.stories?.none),
      ])
        if (!own.has(norm(text)) && named(text) === undefined) pairs.push([text, NONE]);
    }
    // The options' examples are stories about other facts too, on the same terms.
    for (const text of generic)
      if (!own.has(norm(text)) && named(text) === undefined) pairs.push([text, NONE]);
    return { stepId, step, pairs: balanced(pairs) };
  });
}

function train(flow: CompiledFlow, bank: ModelBank | undefined): Map<string, Reader> {
  const readers = new Map<string, Reader>();
  for (const { stepId, step, pairs } of storyTrainingData(flow))
    readers.set(stepId, {
      fact: step.fact,
      strict: step.strict === true,
      top: topOf(pairs, bank),
      ...phrasesOf(step),
    });
  return readers;
}

function topOf(pairs: ReadonlyArray<[string, string]>, bank: ModelBank | undefined): Reader['top'] {
  // The same model as trainRanker's (sorted labels, plain features), so the bank keeps it.
  const model = modelOf(pairs, bank, 'plain');
  const { labels } = model;
  return (grams) => {
    const p = model.predict(grams);
    let best = 0;
    for (let i = 1; i < labels.length; i++) if (p[i]! > p[best]!) best = i;
    return { intent: labels[best] ?? NONE, p: p[best] ?? 0 };
  };
}

/**
 * The negatives outnumber a step's own examples tenfold; repeated, each answer weighs about
 * a third of the negatives, so the model does not learn "none" as the answer to everything.
 */
function balanced(pairs: Array<[string, string]>): Array<[string, string]> {
  const none = pairs.filter(([, intent]) => intent === NONE).length;
  const out = [...pairs];
  for (const intent of ['yes', 'no']) {
    const own = pairs.filter(([, i]) => i === intent);
    const times = own.length === 0 ? 0 : Math.floor(none / 3 / own.length);
    for (let k = 1; k < times; k++) out.push(...own);
  }
  return out;
}

function phrasesOf(step: InputStep): Pick<Reader, 'vetoes' | 'says'> {
  const list = (byLang: Partial<Record<string, string[]>> | undefined) =>
    Object.values(byLang ?? {}).flatMap((texts) => texts ?? []);
  const phrases = { yes: list(step.answers?.yes), no: list(step.answers?.no) };
  const said = {
    yes: phraseFinder(phrases.yes, { negatable: true }),
    no: phraseFinder(phrases.no, { negatable: true }),
  };
  const named = { yes: phraseFinder(phrases.yes), no: phraseFinder(phrases.no) };
  const other = { yes: 'no', no: 'yes' } as const;
  const vetoes = (clause: string, intent: 'yes' | 'no') =>
    said[other[intent]](clause) !== undefined ||
    (named[intent](clause) !== undefined && said[intent](clause) === undefined);
  return {
    vetoes,
    says: (clause, intent) =>
      (intent === 'yes' || intent === 'no') &&
      said[intent](clause) !== undefined &&
      !vetoes(clause, intent),
  };
}
