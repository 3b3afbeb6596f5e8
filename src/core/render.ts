import type { CompiledFlow } from '../flow/compile.js';
import { evaluate, factsRead } from '../flow/conditions.js';
import type { Translator, Translators } from './ports.js';
import { addDays, addYears } from '../shared/calendar.js';
import type { FactValue, Facts, Lang } from '../shared/types.js';
import { mapReplyText, structure, type Reply } from './replies.js';

/** The i18next key convention (docs/authoring-flows.md): words live under the flow's namespace. */
export const keys = {
  prompt: (flowId: string, stepId: string) => `${flowId}:steps.${stepId}.prompt`,
  option: (flowId: string, stepId: string, optionId: string) =>
    `${flowId}:steps.${stepId}.options.${optionId}`,
  fact: (flowId: string, fact: string) => `${flowId}:facts.${fact}`,
  phrase: (flowId: string, name: string, variant: string) => `${flowId}:phrases.${name}.${variant}`,
};

/**
 * The words a step shows, in one language, with the user's facts filled in, as replies: a
 * choice is a question with its options; fenced blocks are copyable texts; an end or message
 * step is a section of the plan.
 */
export function renderStep(
  flow: CompiledFlow,
  stepId: string,
  facts: Facts,
  translators: Translators,
  lang: Lang,
): Reply[] {
  const step = flow.step(stepId);
  if (!step || (step.type === 'message' && step.silent)) return [];
  const t = translators(lang);
  const flowId = flow.definition.id;
  const { facts: shown, unmask } = masked(flow, facts);
  const promptKey = keys.prompt(flowId, stepId);
  const memo = renderMemo(flow, translators);
  const id = memo.id(promptKey, shown, lang);
  let replies = id === undefined ? undefined : memo.steps.get(id);
  if (!replies) {
    const prompt = t(promptKey, factVariables(flow, shown, translators, lang, t.uses?.(promptKey)));
    replies =
      step.type === 'choice'
        ? [
            {
              type: 'question',
              text: prompt,
              options: step.options.map((o) => t(keys.option(flowId, stepId, o.id))),
            },
          ]
        : structure(prompt, step.type === 'end' || step.type === 'message' ? 'plan' : 'text');
    if (id !== undefined) memo.keep(memo.steps, id, replies, prompt.length);
  }
  // New objects each time: the cached replies are never handed out to be changed.
  return replies.map((reply) => mapReplyText(reply, unmask));
}

/**
 * A text of the flow's (`key`) rendered with the variables of `facts` (masked: see `masked`),
 * as `t(key, factVariables(…))`, remembered like a step's replies (see `RenderMemo`).
 */
export function renderFacts(
  flow: CompiledFlow,
  key: string,
  facts: Facts,
  translators: Translators,
  lang: Lang,
): string {
  const memo = renderMemo(flow, translators);
  const id = memo.id(key, facts, lang);
  let text = id === undefined ? undefined : memo.texts.get(id);
  if (text === undefined) {
    const t = translators(lang);
    text = t(key, factVariables(flow, facts, translators, lang, t.uses?.(key)));
    if (id !== undefined) memo.keep(memo.texts, id, text, text.length);
  }
  return text;
}

/** The memo holds at most this many characters of rendered text (per flow), then starts afresh. */
const MAX_MEMO_CHARS = 2_000_000;

/**
 * Rendered steps and texts by the values of the only facts they can read. A plan step's text
 * nests other texts and phrases that use a dozen facts and deadlines; computing those variables
 * and the i18n cache's key from them on every message was a quarter of a message's cost
 * (bench: engine per message, the walk to end-wrong-payment), although the same few facts
 * decide the words. Which facts a text can read is known from the texts and the flow alone:
 * its variables (`Translator.uses`), each phrase's conditions and the variables of each of its
 * variants, a deadline's date fact. The memo's key is the text's key and the values of those
 * facts (more than it reads on one path, never fewer), so a hit is the text `factVariables`
 * would give. The facts are the masked ones: no word a user typed is kept (red-team m13).
 * Not used where the variables take the eager path (a flow whose names could mean two things).
 */
class RenderMemo {
  readonly steps = new Map<string, Reply[]>();
  readonly texts = new Map<string, string>();
  #chars = 0;
  /** The facts each text can read, by language and key; undefined: no `uses` to know it by. */
  readonly #reads = new Map<Lang, Map<string, readonly string[] | undefined>>();
  readonly #phraseReads = new Map<string, ReadonlySet<string>>();
  readonly #phrases: PhraseIndex;
  #lastFacts: Facts | undefined;
  #lastLazy = false;

  constructor(
    readonly flow: CompiledFlow,
    readonly translators: Translators,
  ) {
    this.#phrases = phraseIndex(flow);
  }

  /** The memo's key of `key` rendered with `facts`, or undefined where it cannot be kept. */
  id(key: string, facts: Facts, lang: Lang): string | undefined {
    if (this.#lastFacts !== facts) {
      this.#lastFacts = facts;
      this.#lastLazy = unambiguous(this.#phrases, facts);
    }
    if (!this.#lastLazy) return undefined;
    const reads = this.#readsOf(key, lang);
    if (!reads) return undefined;
    let id = `${lang}\u0000${key}`;
    for (const name of reads) {
      const value = Object.hasOwn(facts, name) ? facts[name] : ABSENT;
      // JSON: a string's \u0000 is escaped, so no two values' keys can run together.
      id += `\u0000${value === ABSENT ? '' : value === undefined ? 'u' : JSON.stringify(value)}`;
    }
    return id;
  }

  keep<T>(map: Map<string, T>, id: string, value: T, chars: number): void {
    if (this.#chars + id.length + chars > MAX_MEMO_CHARS) {
      this.steps.clear();
      this.texts.clear();
      this.#chars = 0;
    }
    map.set(id, value);
    this.#chars += id.length + chars;
  }

  #readsOf(key: string, lang: Lang): readonly string[] | undefined {
    let byKey = this.#reads.get(lang);
    if (!byKey) {
      byKey = new Map();
      this.#reads.set(lang, byKey);
    }
    const known = byKey.get(key);
    if (known || byKey.has(key)) return known;
    const uses = this.translators(lang).uses?.(key);
    let reads: string[] | undefined;
    if (uses) {
      const out = new Set<string>();
      for (const name of uses) {
        // As LazyVariables.final: `nameZh` is the Chinese `name`, or else a name of its own.
        if (name.endsWith('Zh')) this.#seen(name.slice(0, -2), SENT_LANG, Infinity, out);
        this.#seen(name, lang, Infinity, out);
      }
      reads = [...out].sort();
    }
    byKey.set(key, reads);
    return reads;
  }

  /** What LazyVariables.seen can read: the phrase so named (if before `before`) and the fact. */
  #seen(name: string, lang: Lang, before: number, out: Set<string>): void {
    const at = this.#phrases.at.get(name);
    if (at !== undefined && at < before) for (const fact of this.#phrase(at, lang)) out.add(fact);
    out.add(name);
    for (const suffix of DEADLINES)
      if (name.endsWith(suffix)) out.add(name.slice(0, -suffix.length));
  }

  /** Every variant's condition and every variable of every variant (a superset of one path). */
  #phrase(at: number, lang: Lang): ReadonlySet<string> {
    const memoKey = `${lang}\u0000${at}`;
    let reads = this.#phraseReads.get(memoKey);
    if (!reads) {
      const out = new Set<string>();
      const [name, variants] = this.#phrases.list[at] ?? ['', []];
      const t = this.translators(lang);
      for (const variant of variants) {
        if (variant.when) for (const fact of factsRead(variant.when)) out.add(fact);
        const key = keys.phrase(this.flow.definition.id, name, variant.use);
        for (const used of t.uses?.(key) ?? []) this.#seen(used, lang, at, out);
      }
      reads = out;
      this.#phraseReads.set(memoKey, reads);
    }
    return reads;
  }
}

const ABSENT = Symbol('absent');
const renderMemos = new WeakMap<Translators, WeakMap<CompiledFlow, RenderMemo>>();

function renderMemo(flow: CompiledFlow, translators: Translators): RenderMemo {
  let byFlow = renderMemos.get(translators);
  if (!byFlow) {
    byFlow = new WeakMap();
    renderMemos.set(translators, byFlow);
  }
  let memo = byFlow.get(flow);
  if (!memo) {
    memo = new RenderMemo(flow, translators);
    byFlow.set(flow, memo);
  }
  return memo;
}

/**
 * What people typed themselves (a recipient's name) is replaced by a token before rendering
 * and put back after. So the render caches, shared by all users, never hold anyone's words
 * (they are the same tokens for everyone: red-team m13), and a name containing `---` or blank
 * lines cannot split a copyable text (m11). Input answers never contain the private-use
 * characters of the token (the text reader strips them).
 */
export function masked(
  flow: CompiledFlow,
  facts: Facts,
): { facts: Facts; unmask: (text: string) => string } {
  const names = textFactsOf(flow);
  const values = names.map((name) => facts[name]);
  if (!values.some((v) => typeof v === 'string' && v !== '')) return { facts, unmask: same };
  let shown = lastMasked.from?.deref() === facts ? lastMasked.to : undefined;
  if (!shown) {
    shown = { ...facts };
    names.forEach((name, i) => {
      const value = facts[name];
      if (typeof value === 'string' && value !== '') (shown as Facts)[name] = `\uE000${i}\uE001`;
    });
    lastMasked = { from: new WeakRef(facts), to: shown };
  }
  return {
    facts: shown,
    unmask: (text) => text.replace(TOKEN, (_, i: string) => String(values[Number(i)] ?? '')),
  };
}

const TOKEN = /\uE000(\d+)\uE001/g;
const same = (text: string) => text;
// One message renders with the same facts object several times (prompt, read-back, plan), so
// the last one is remembered. Not a WeakMap keyed by every facts object: V8's young-generation
// GC kept those entries alive long enough to promote them, and the promoted garbage stretched
// scavenges and forced old-space collections (bench: the p99 at 1,000 messages/s). The user's
// own facts are only weakly referenced: what stays is the masked copy, whose typed words are
// tokens, so nothing a user typed is kept after the conversation is gone (red-team m13).
let lastMasked: { from?: WeakRef<Facts>; to?: Facts } = {};
const textFacts = new WeakMap<CompiledFlow, string[]>();

function textFactsOf(flow: CompiledFlow): string[] {
  let names = textFacts.get(flow);
  if (!names) {
    names = [...flow.factSteps].flatMap(([fact, stepId]) => {
      const step = flow.step(stepId);
      return step?.type === 'input' && step.input === 'text' ? [fact] : [];
    });
    textFacts.set(flow, names);
  }
  return names;
}

/**
 * Texts that an English-speaking user sends to Chinese readers (the police, WeChat, the
 * recipient) are written in Chinese: every variable also exists as `{{nameZh}}`.
 */
const SENT_LANG: Lang = 'zh-CN';

// Facts objects are never changed in place (each answer makes a new one), so the variables of
// the facts last rendered are kept (see `lastMasked` for why not a WeakMap of all of them).
let lastVariables: {
  facts?: Facts;
  byLang: Map<string, Record<string, string>>;
  lazy: Map<string, LazyVariables | undefined>;
} = { byLang: new Map(), lazy: new Map() };

/**
 * Facts formatted for reading (amounts as money, dates as calendar dates, options as
 * labels), their legal deadlines, and the flow's phrases chosen by the facts. With `wanted`
 * (the variables the text to render can use: `Translator.uses`), only those are computed —
 * most prompts use none of the thirty facts and phrases, and computing them all was most of
 * a message's cost (bench: engine per message). The text is the same: it reads only these.
 */
export function factVariables(
  flow: CompiledFlow,
  facts: Facts,
  translators: Translators,
  lang: Lang,
  wanted?: readonly string[],
): Record<string, string> {
  if (lastVariables.facts !== facts) lastVariables = { facts, byLang: new Map(), lazy: new Map() };
  if (wanted) {
    let lazy = lastVariables.lazy.get(flow.hash);
    if (!lastVariables.lazy.has(flow.hash)) {
      lazy = LazyVariables.over(flow, facts, translators);
      lastVariables.lazy.set(flow.hash, lazy);
    }
    if (lazy) {
      const vars: Record<string, string> = {};
      for (const name of wanted) {
        const value = lazy.final(name, lang);
        if (value !== undefined) vars[name] = value;
      }
      return vars;
    }
  }
  const byLang = lastVariables.byLang;
  const key = `${flow.hash}:${lang}`;
  let vars = byLang.get(key);
  if (!vars) {
    const variablesIn = (l: Lang) =>
      withPhrases(flow, facts, translators(l), computeVariables(flow, facts, translators(l), l));
    const own = variablesIn(lang);
    // Chinese users' own words are the Chinese ones: computed once.
    const sent = lang === SENT_LANG ? own : variablesIn(SENT_LANG);
    vars = {
      ...own,
      ...Object.fromEntries(Object.entries(sent).map(([name, value]) => [`${name}Zh`, value])),
    };
    byLang.set(key, vars);
  }
  return vars;
}

const DEADLINES = ['Plus90Days', 'Plus3Years', 'Plus1Year', 'Plus5Years'] as const;

type Phrases = NonNullable<CompiledFlow['definition']['phrases']>;
interface PhraseIndex {
  list: [string, Phrases[string]][];
  at: Map<string, number>;
  /** No phrase named like a `…Zh` copy (see LazyVariables.over). */
  lazy: boolean;
}
const phraseIndexes = new WeakMap<CompiledFlow, PhraseIndex>();

function phraseIndex(flow: CompiledFlow): PhraseIndex {
  let index = phraseIndexes.get(flow);
  if (!index) {
    const list = Object.entries(flow.definition.phrases ?? {});
    index = {
      list,
      at: new Map(list.map(([name], i) => [name, i])),
      lazy: list.every(([name]) => !name.endsWith('Zh')),
    };
    phraseIndexes.set(flow, index);
  }
  return index;
}

/** No fact named like a phrase, a `…Zh` copy or a deadline: each variable means one thing. */
function unambiguous(phrases: PhraseIndex, facts: Facts): boolean {
  if (!phrases.lazy) return false;
  for (const name in facts) {
    if (phrases.at.has(name) || name.endsWith('Zh')) return false;
    for (const suffix of DEADLINES) if (name.endsWith(suffix)) return false;
  }
  return true;
}

/**
 * The variables of `factVariables`, each computed when first asked for: the same values as
 * the eager `computeVariables` + `withPhrases` + `…Zh` copies, name by name. A phrase sees
 * the facts and the phrases declared before it, as there.
 */
class LazyVariables {
  readonly #values = new Map<string, string | undefined>();

  private constructor(
    readonly flow: CompiledFlow,
    readonly facts: Facts,
    readonly translators: Translators,
    readonly phrases: PhraseIndex,
  ) {}

  /**
   * Undefined where a name could mean two things (a fact named like another's deadline, a
   * phrase or a `…Zh` copy): there the eager order of assignment decides, so the eager path
   * is taken. The flows have none; this keeps the two paths equal whatever a flow names.
   */
  static over(flow: CompiledFlow, facts: Facts, translators: Translators) {
    const phrases = phraseIndex(flow);
    return unambiguous(phrases, facts)
      ? new LazyVariables(flow, facts, translators, phrases)
      : undefined;
  }

  /** A variable of the whole set: `nameZh` is the Chinese value of `name`. */
  final(name: string, lang: Lang): string | undefined {
    if (name.endsWith('Zh')) {
      const sent = this.seen(name.slice(0, -2), SENT_LANG, Infinity);
      if (sent !== undefined) return sent;
    }
    return this.seen(name, lang, Infinity);
  }

  /** A variable as seen by the phrase at index `before` (Infinity: after all phrases). */
  private seen(name: string, lang: Lang, before: number): string | undefined {
    const at = this.phrases.at.get(name);
    if (at !== undefined && at < before) {
      const phrase = this.memo(`p${lang}:${name}`, () => this.phrase(at, lang));
      if (phrase !== undefined) return phrase;
    }
    return this.memo(`f${lang}:${name}`, () => this.fact(name, lang));
  }

  private phrase(at: number, lang: Lang): string | undefined {
    const [name, variants] = this.phrases.list[at] ?? ['', []];
    // Phrase conditions read facts only (the loader refuses date distances), so no "today".
    const chosen = variants.find((v) => !v.when || evaluate(v.when, this.facts, ''));
    if (!chosen) return undefined;
    const t = this.translators(lang);
    const key = keys.phrase(this.flow.definition.id, name, chosen.use);
    const vars: Record<string, string> = {};
    for (const used of t.uses?.(key) ?? []) {
      const value = this.seen(used, lang, at);
      if (value !== undefined) vars[used] = value;
    }
    return t(key, vars);
  }

  private fact(name: string, lang: Lang): string | undefined {
    if (Object.hasOwn(this.facts, name)) {
      const value = this.facts[name] as FactValue;
      return formatFact(this.flow, name, value, this.translators(lang), lang);
    }
    for (const suffix of DEADLINES) {
      if (!name.endsWith(suffix)) continue;
      const base = name.slice(0, -suffix.length);
      const value = this.facts[base];
      if (Object.hasOwn(this.facts, base) && isDateFact(this.flow, base))
        if (typeof value === 'string' && value !== '') return deadlines(base, value, lang)[name];
    }
    return undefined;
  }

  private memo(key: string, compute: () => string | undefined): string | undefined {
    if (this.#values.has(key)) return this.#values.get(key);
    const value = compute();
    this.#values.set(key, value);
    return value;
  }
}

function computeVariables(
  flow: CompiledFlow,
  facts: Facts,
  t: Translator,
  lang: Lang,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(facts)) {
    vars[name] = formatFact(flow, name, value, t, lang);
    // A skipped optional date ('') has no deadlines to count.
    if (isDateFact(flow, name) && typeof value === 'string' && value !== '')
      Object.assign(vars, deadlines(name, value, lang));
  }
  return vars;
}

/**
 * The flow's `phrases`: for each, the first variant whose condition holds, rendered with the
 * facts ("通过微信赞赏码" or "通过微信转账"), so one template states only true facts. A phrase
 * may use the phrases declared before it (a section that says {{paidWhen}}).
 */
function withPhrases(
  flow: CompiledFlow,
  facts: Facts,
  t: Translator,
  vars: Record<string, string>,
): Record<string, string> {
  const out = { ...vars };
  for (const [name, variants] of Object.entries(flow.definition.phrases ?? {})) {
    // Phrase conditions read facts only (the loader refuses date distances), so no "today".
    const chosen = variants.find((v) => !v.when || evaluate(v.when, facts, ''));
    if (chosen) out[name] = t(keys.phrase(flow.definition.id, name, chosen.use), out);
  }
  return out;
}

/**
 * The legal deadlines counted from a date fact (docs/content-sources.md): 90 days and the
 * 5-year cap for revocation (Civil Code art. 152), 1 year (art. 663) and 3 years (art. 188),
 * e.g. {{paidOnPlus90Days}}, {{paidOnPlus3Years}}.
 */
function deadlines(name: string, iso: string, lang: Lang): Record<string, string> {
  return {
    [`${name}Plus90Days`]: formatDate(addDays(iso, 90), lang),
    [`${name}Plus3Years`]: formatDate(addYears(iso, 3), lang),
    [`${name}Plus1Year`]: formatDate(addYears(iso, 1), lang),
    [`${name}Plus5Years`]: formatDate(addYears(iso, 5), lang),
  };
}

function isDateFact(flow: CompiledFlow, name: string): boolean {
  const stepId = flow.factSteps.get(name);
  const step = stepId ? flow.step(stepId) : undefined;
  return step?.type === 'input' && step.input === 'date';
}

export function formatFact(
  flow: CompiledFlow,
  name: string,
  value: FactValue,
  t: Translator,
  lang: Lang,
): string {
  const stepId = flow.factSteps.get(name);
  const step = stepId ? flow.step(stepId) : undefined;
  if (value === '') return t('common:notGiven');
  if (step?.type === 'choice' && stepId && typeof value === 'string') {
    return t(keys.option(flow.definition.id, stepId, value));
  }
  if (step?.type === 'input' && step.input === 'money' && typeof value === 'number')
    return formatMoney(value, lang);
  if (step?.type === 'input' && step.input === 'date' && typeof value === 'string')
    return formatDate(value, lang);
  if (typeof value === 'boolean') return t(value ? 'common:yes' : 'common:no');
  if (value === 'unsure' && step?.type === 'input' && step.input === 'yesno')
    return t('common:unsure');
  return String(value);
}

// Intl formatters cost tens of microseconds to build and are used on every reply: one per
// language and kind, built on first use.
const moneyFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function formatMoney(yuan: number, lang: Lang): string {
  const cents = Number.isInteger(yuan) ? 0 : 2;
  const key = `${lang}:${cents}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(lang, {
      style: 'currency',
      currency: 'CNY',
      minimumFractionDigits: cents,
    });
    moneyFormats.set(key, format);
  }
  return format.format(yuan);
}

const formattedDates = new Map<string, string>();

export function formatDate(iso: string, lang: Lang): string {
  const key = `${lang}:${iso}`;
  const known = formattedDates.get(key);
  if (known) return known;
  let format = dateFormats.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' });
    dateFormats.set(lang, format);
  }
  const text = format.format(new Date(`${iso}T00:00:00Z`));
  if (formattedDates.size > 10_000) formattedDates.clear();
  formattedDates.set(key, text);
  return text;
}
