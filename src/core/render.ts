import type { CompiledFlow } from '../flow/compile.js';
import { evaluate } from '../flow/conditions.js';
import type { Translator, Translators } from './ports.js';
import { addDays, addYears } from '../shared/calendar.js';
import type { FactValue, Facts, Lang } from '../shared/types.js';

/** Longer replies are split at paragraph boundaries: long chat bubbles get skipped on phones. */
export const MAX_MESSAGE_CHARS = 600;

/** The i18next key convention (docs/authoring-flows.md): words live under the flow's namespace. */
export const keys = {
  prompt: (flowId: string, stepId: string) => `${flowId}:steps.${stepId}.prompt`,
  option: (flowId: string, stepId: string, optionId: string) =>
    `${flowId}:steps.${stepId}.options.${optionId}`,
  fact: (flowId: string, fact: string) => `${flowId}:facts.${fact}`,
  phrase: (flowId: string, name: string, variant: string) => `${flowId}:phrases.${name}.${variant}`,
};

/** The words a step shows, in one language, with the user's facts filled in. */
export function renderStep(
  flow: CompiledFlow,
  stepId: string,
  facts: Facts,
  translators: Translators,
  lang: Lang,
): string[] {
  const step = flow.step(stepId);
  if (!step) return [];
  const t = translators(lang);
  const flowId = flow.definition.id;
  const prompt = t(keys.prompt(flowId, stepId), factVariables(flow, facts, translators, lang));
  if (step.type !== 'choice') return splitMessage(prompt);
  const options = step.options.map((o, i) => `${i + 1}. ${t(keys.option(flowId, stepId, o.id))}`);
  return splitMessage(`${prompt}\n${options.join('\n')}`);
}

/**
 * Texts that an English-speaking user sends to Chinese readers (the police, WeChat, the
 * recipient) are written in Chinese: every variable also exists as `{{nameZh}}`.
 */
const SENT_LANG: Lang = 'zh-CN';

// Facts objects are never changed in place (each answer makes a new one), so their
// formatted variables can be kept per object and language until the object is dropped.
const variableCache = new WeakMap<Facts, Map<string, Record<string, string>>>();

/**
 * Facts formatted for reading (amounts as money, dates as calendar dates, options as
 * labels), their legal deadlines, and the flow's phrases chosen by the facts.
 */
export function factVariables(
  flow: CompiledFlow,
  facts: Facts,
  translators: Translators,
  lang: Lang,
): Record<string, string> {
  let byLang = variableCache.get(facts);
  if (!byLang) {
    byLang = new Map();
    variableCache.set(facts, byLang);
  }
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

function computeVariables(
  flow: CompiledFlow,
  facts: Facts,
  t: Translator,
  lang: Lang,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(facts)) {
    vars[name] = formatFact(flow, name, value, t, lang);
    if (isDateFact(flow, name) && typeof value === 'string')
      Object.assign(vars, deadlines(name, value, lang));
  }
  return vars;
}

/**
 * The flow's `phrases`: for each, the first variant whose condition holds, rendered with the
 * facts ("通过微信赞赏码" or "通过微信转账"), so one template states only true facts.
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
    if (chosen) out[name] = t(keys.phrase(flow.definition.id, name, chosen.use), vars);
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
  if (value === '') return t('common:notGiven');
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

/**
 * Packs paragraphs into messages of at most MAX_MESSAGE_CHARS; a single paragraph that is
 * longer is split at line breaks, and a single line that is longer is cut. A line of `---`
 * forces a new message, so a text meant to be copied arrives as a bubble of its own.
 */
export function splitMessage(text: string, max = MAX_MESSAGE_CHARS): string[] {
  const key = `${max}:${text}`;
  const known = splitCache.get(key);
  if (known) return known;
  const messages = text.split(/\n[ \t]*---[ \t]*\n/).flatMap((part) => packParagraphs(part, max));
  if (splitCache.size > 5000) splitCache.clear();
  splitCache.set(key, messages);
  return messages;
}

// The same plan texts are split again and again; callers never change the arrays returned.
const splitCache = new Map<string, readonly string[]>() as Map<string, string[]>;

function packParagraphs(text: string, max: number): string[] {
  const pieces = text
    .split(/\n{2,}/)
    .flatMap((p) => (p.length <= max ? [p] : p.split('\n')))
    .flatMap((p) => (p.length <= max ? [p] : (p.match(new RegExp(`[^]{1,${max}}`, 'g')) ?? [])));
  const messages: string[] = [];
  for (const piece of pieces.map((p) => p.trim()).filter(Boolean)) {
    const last = messages.at(-1);
    if (last !== undefined && last.length + 2 + piece.length <= max)
      messages[messages.length - 1] = `${last}\n\n${piece}`;
    else messages.push(piece);
  }
  return messages;
}
