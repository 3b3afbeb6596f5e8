import type { CompiledFlow } from '../flow/compile.js';
import type { Step } from '../flow/schema.js';
import type { Translators } from './ports.js';
import { createStepWords, type StepWords } from './step-words.js';
import {
  interpretInput,
  mentionedOption,
  normalize,
  parseChoice,
  type Interpretation,
} from './interpret/index.js';
import { contradiction } from '../flow/constraints.js';
import { isExtractable } from '../flow/story.js';
import { parseDate } from './interpret/date.js';
import { readMoney } from './interpret/money.js';
import type { Facts } from '../shared/types.js';
import type { ModelBank } from './classify/bank.js';
import { createStepClassifier } from './classify/step-classifier.js';
import { THRESHOLDS, type Thresholds } from './classify/thresholds.js';
import { byMeaning, type MeaningContext, type Reader } from './read-by-meaning.js';

/**
 * Reading what people write, as Rasa forms and Dialogflow CX parameters do: the answer to the
 * question asked, and every other fact the message states ("我昨天扫赞赏码，本来想付5块多打了
 * 两个0付了500" gives the kind, the situation, the date, the amount and the intended amount).
 * A fact is taken only when it is unambiguous; anything else is left for its own question.
 */
export interface Understanding {
  /** The message read as the answer to `stepId`. */
  answer(stepId: string, text: string, today: string): Interpretation;
  /** Facts for other questions, not yet known, that the message states clearly. */
  extract(text: string, today: string, known: Facts, except?: string): Facts;
  /** "不是500，是5000", "日期是上周三", "the amount was 50": facts the user corrects. */
  correct(text: string, today: string, known: Facts): Facts;
}

// Words that mark a message as a correction of something said before.
const CORRECTION =
  /^(?:不是|不对|错了|应该是|其实是|改成|改为|更正)|(?:金额|钱数|日期|时间|付款日期)(?:应该)?是|^(?:no,? )?(?:actually|correction)|\b(?:the )?(?:amount|date) (?:was|is|should be)\b|\bi meant\b|\bnot [^,]+, (?:it was|but)\b/u;
const MONEY_WORDS = /金额|钱数|多少钱|\bamount\b/u;
const DATE_WORDS = /日期|时间|哪天|\bdate\b|\bday\b/u;
// After the last of these comes the corrected value: "不是500，是5000" → "5000".
const VALUE_AFTER = /.*(?:是|改成|改为|为|was|is|to|be|meant)\s*/su;
const MONEY_CONTEXT =
  /[块元¥付转]|赞赏|打赏|打了|给了|rmb|yuan|kuai|\bpaid\b|\bpay\b|\bsent\b|\btipped\b|\btyped\b|\btransferred\b/u;
// Date expressions inside a story; each is read with the full date parser.
const DATE_IN_TEXT = new RegExp(
  [
    '大前天|前天|昨天|昨晚|今天',
    '(?:\\d+|[一二两三四五六七八九十]+)\\s*(?:天|个?星期|周)前',
    '(?:上上|上|这|本)?(?:个)?(?:周|星期|礼拜)[一二三四五六日天]',
    '(?:\\d{4}[-/.年])?\\d{1,2}[-/.月]\\d{1,2}[日号]?',
    '(?:上|这|本)个?月\\d{1,2}[号日]',
    '双十一|双11|双十二',
    '\\b(?:yesterday|today|the day before yesterday)\\b',
    '\\b\\d+ (?:days?|weeks?) ago\\b',
    '\\blast (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\\b',
    '\\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \\d{1,2}\\b',
  ].join('|'),
  'gu',
);

/**
 * Who reads the answer to the question asked: the rules alone, the classifier alone (for
 * `flow nlu-eval`: its top intent, with none of the safeguards), or both — the rules first,
 * the classifier where they find nothing, within the safeguards and thresholds.
 */
export type { Reader };
export interface UnderstandingOptions {
  reader?: Reader;
  /** The lowest probability taken, and shown back to confirm, per kind of step. */
  thresholds?: Thresholds;
  /** Models trained before: none is trained again (classify/bank.ts). */
  bank?: ModelBank;
}

// What the rules say when they find no answer: the classifier may read these.
const UNREAD = new Set(['choice', 'yesno', 'yesnoStrict']);

export function createUnderstanding(
  flow: CompiledFlow,
  translators: Translators,
  options: UnderstandingOptions = {},
): Understanding {
  const steps = Object.entries(flow.definition.steps);
  const words = createStepWords(flow, translators);
  const classifier = createStepClassifier(flow, translators, options.bank);
  const { reader = 'combined', thresholds = THRESHOLDS } = options;

  const meaning: MeaningContext = { flow, words, classifier, reader, thresholds };

  function answer(stepId: string, text: string, today: string): Interpretation {
    const rules = () => ruled(flow, words, stepId, text, today);
    if (reader === 'rules') return rules();
    const read = reader === 'combined' ? rules() : undefined;
    if (read && (read.ok || !UNREAD.has(read.reason))) return read;
    return byMeaning(meaning, stepId, text, read) ?? read ?? rules();
  }

  function extract(text: string, today: string, known: Facts, except?: string): Facts {
    // A name is not a statement: "赞赏码小王" at the recipient question says nothing else.
    const asked = except === undefined ? undefined : flow.step(except);
    if (asked?.type === 'input' && asked.input === 'text') return {};
    const found = statedFacts(steps, words, text, today, except);
    const fresh = Object.entries(found).filter(([fact]) => known[fact] === undefined);
    // A story's amount meant that is not below the amount paid, say, is not taken.
    const all = { ...known, ...found };
    return Object.fromEntries(
      fresh.filter(([fact, value]) => {
        const step = flow.step(flow.factSteps.get(fact) ?? '');
        return !step || !contradiction(step, value, all);
      }),
    );
  }

  return {
    answer,
    extract,
    correct: (text, today, known) => corrections(steps, words, text, today, known),
  };
}

type Steps = ReadonlyArray<[string, Step]>;

/** "不是500，是5000", "日期是上周三", "不是被骗，是转错人了": the known facts a message changes. */
function corrections(
  steps: Steps,
  words: StepWords,
  text: string,
  today: string,
  known: Facts,
): Facts {
  const s = normalize(text);
  if (!CORRECTION.test(s)) return {};
  const tail = s.replace(VALUE_AFTER, '').trim() || s;
  const out: Facts = {};
  const money = readMoney(tail);
  const date = parseDate(tail, today);
  const wantsMoney = MONEY_WORDS.test(s) || !DATE_WORDS.test(s);
  const wantsDate = DATE_WORDS.test(s) || !MONEY_WORDS.test(s);
  for (const [, step] of steps) {
    // "日期是11月20日" corrects the payment date, not a second date asked on one branch.
    if (step.type !== 'input' || step.story === false || known[step.fact] === undefined) continue;
    if (step.input === 'money' && wantsMoney && money.ok && !step.intended)
      out[step.fact] = money.value;
    if (step.input === 'date' && wantsDate && date.ok && !money.ok) out[step.fact] = date.value;
  }
  // A changed choice names exactly one option of a known fact.
  for (const [stepId, step] of steps) {
    if (step.type !== 'choice' || !step.fact || known[step.fact] === undefined) continue;
    const id = mentionedOption(s, words.choice(stepId, step));
    if (id !== undefined) out[step.fact] = id;
  }
  return Object.fromEntries(Object.entries(out).filter(([fact, value]) => known[fact] !== value));
}

/** Every fact a message states clearly, for any step but `except` (being answered now). */
function statedFacts(
  steps: Steps,
  words: StepWords,
  text: string,
  today: string,
  except?: string,
): Facts {
  const s = normalize(text);
  const out: Facts = {};
  // A short answer ("不确定", "yes", "1") answers its own question and states nothing else.
  if (!isStory(s)) return out;
  for (const [stepId, step] of steps) {
    if (stepId === except || !isExtractable(step) || step.type !== 'choice') continue;
    const fact = (step as { fact: string }).fact;
    if (out[fact] !== undefined) continue;
    const id = mentionedOption(s, words.story(stepId, step));
    if (id !== undefined) out[fact] = id;
  }
  // Outside its own question an amount needs a sign that it is money ("付了500", "500块"):
  // a bare "1" is an option number, not one yuan.
  const money = MONEY_CONTEXT.test(s) ? readMoney(text, { story: true }) : ({ ok: false } as const);
  const date = oneDate(s, today);
  for (const [stepId, step] of steps) {
    if (stepId === except || !isExtractable(step) || step.type !== 'input') continue;
    if (out[step.fact] !== undefined) continue;
    if (step.input === 'money' && money.ok) {
      const value = step.intended ? money.intended : money.value;
      if (value !== undefined) out[step.fact] = value;
    }
    if (step.input === 'date' && date !== undefined) out[step.fact] = date;
  }
  return out;
}

/** More than a word or two: Chinese of six characters or more, or three words or more. */
function isStory(s: string): boolean {
  const han = s.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= 6 || s.split(/\s+/).filter(Boolean).length >= 3;
}

/** The one date a story names, or nothing when it names none or several. */
function oneDate(s: string, today: string): string | undefined {
  const values = new Set<string>();
  for (const m of s.matchAll(DATE_IN_TEXT)) {
    const read = parseDate(m[0], today);
    if (read.ok) values.add(read.value);
  }
  return values.size === 1 ? [...values][0] : undefined;
}

/** The answer as the rules read it: the step's own interpreter, or its options' words. */
function ruled(
  flow: CompiledFlow,
  words: StepWords,
  stepId: string,
  text: string,
  today: string,
): Interpretation {
  const step = flow.step(stepId);
  if (step?.type === 'input') {
    return interpretInput(
      step.input,
      text,
      today,
      step.optional,
      words.yesNo(stepId, step),
      step.strict,
    );
  }
  if (step?.type !== 'choice') return { ok: false, reason: 'choice' };
  const id = parseChoice(text, words.choice(stepId, step), true);
  return id === undefined ? { ok: false, reason: 'choice' } : { ok: true, value: id };
}
