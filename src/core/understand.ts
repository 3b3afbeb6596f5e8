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
import { createStepClassifier } from './classify/step-classifier.js';
import { THRESHOLDS, type Thresholds } from './classify/thresholds.js';
import { createCorrectionForm, type CorrectionForm } from './correction-form.js';
import { createStoryYesNo, type StoryYesNo } from './story-yesno.js';
import { childAgeOf, extraZeros, saysEach, severalOf } from './story-typed.js';
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
  /^(?:不是|不对|错了|应该是|其实是|改成|改为|更正)|(?:金额|钱数|日期|时间|付款日期)(?:应该)?是|(?:金额|钱数|日期|时间|日子)(?:说|写|记|填)?(?:不对|错了|搞错)|^(?:no,? )?(?:actually|correction)|\b(?:the )?(?:amount|date) (?:was|is|should be)\b|\bi meant\b|\bnot [^,]+, (?:it was|but)\b|[\d一二两三四五六七八九十百千万.]+\s*(?:块|元|yuan)?\s*(?:而?不是|\bnot\b)\s*[\d一二两三四五六七八九十百千万.]+/u;
const MONEY_WORDS = /金额|钱数|多少钱|\bamount\b/u;
const DATE_WORDS = /日期|时间|哪天|\bdate\b|\bday\b/u;
// After the last of these comes the corrected value: "不是500，是5000" → "5000".
const VALUE_AFTER = /.*(?:是|改成|改为|为|was|is|to|be|meant)\s*/su;
const MONEY_CONTEXT =
  /[块元¥付转]|赞赏|打赏|打了|给了|借了|借给|借走|刷了|充了|充值|花了|rmb|yuan|kuai|\bpaid\b|\bpay\b|\bsent\b|\blent\b|\btipped\b|\btyped\b|\btransferred\b/u;
// Date expressions inside a story; each is read with the full date parser.
const DATE_IN_TEXT = new RegExp(
  [
    '大前天|前天|昨天|昨晚|昨夜|前晚|今天|今早|今晚',
    '(?:\\d+|[一二两三四五六七八九十]+)\\s*(?:天|个?星期|周)前',
    '(?:上上|上|这|本)?(?:个)?(?:周|星期|礼拜)[一二三四五六日天]',
    '(?:\\d{4}[-/.年])?\\d{1,2}[-/.月]\\d{1,2}[日号]?',
    '(?:上|这|本)个?月\\d{1,2}[号日]',
    '双十一|双11|双十二',
    '\\b(?:yesterday|today|the day before yesterday)\\b',
    '\\b\\d+ (?:days?|weeks?) ago\\b',
    '\\b(?:last )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\\b',
    '\\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.? \\d{1,2}(?:st|nd|rd|th)?\\b',
    '\\b\\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\b',
    '\\bthe \\d{1,2}(?:st|nd|rd|th)\\b',
    '\\b(?:this|yesterday) (?:morning|afternoon|evening)\\b|\\blast night\\b|\\btonight\\b',
    '(?<![\\d月./-])\\d{1,2}[号日](?![\\d线店楼])',
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
  const classifier = createStepClassifier(flow, translators);
  const story = createStoryYesNo(flow);
  const form = createCorrectionForm(flow);
  const { reader = 'combined', thresholds = THRESHOLDS } = options;

  const meaning: MeaningContext = { flow, words, classifier, reader, thresholds };

  function answer(stepId: string, text: string, today: string): Interpretation {
    const step = flow.step(stepId);
    // A name is asked: 「名字那栏是空的」 is no name, and "it was 200 not 500" is a correction.
    if (step?.type === 'input' && step.input === 'text') {
      const kind = form.kind(text);
      if (kind === 'empty' && step.optional) return { ok: true, value: '' };
      if (kind === 'amount' || kind === 'date') return { ok: false, reason: 'textCorrection' };
    }
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
    const found = statedFacts(flow, story, words, text, today, known, except);
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
    correct: (text, today, known) =>
      corrections(flow, steps, words, form, story, text, today, known),
  };
}

type Steps = ReadonlyArray<[string, Step]>;

/** "不是500，是5000", "日期是上周三", "不是被骗，是转错人了": the known facts a message changes. */
function corrections(
  flow: CompiledFlow,
  steps: Steps,
  words: StepWords,
  form: CorrectionForm,
  story: StoryYesNo,
  text: string,
  today: string,
  known: Facts,
): Facts {
  const s = normalize(text);
  // The form by its words, or by meaning ("oh wait, it was 200 not 500").
  // A short answer ("是", "1", "跳过") is no correction: the model is not asked (cost).
  const kind = s.length >= 4 ? form.kind(text) : undefined;
  if (!CORRECTION.test(s) && kind === undefined) return {};
  // What is denied is not the new value: "是200不是500", "200 not 500" → "200".
  const asserted = s.replace(DENIED, ' ');
  const tail = asserted.replace(VALUE_AFTER, '').trim() || asserted;
  const out: Facts = {};
  const money = readMoney(tail, { story: true });
  const date = parseDate(tail, today);
  const dated = date.ok ? date : oneDateRead(tail, today);
  const wantsMoney =
    kind === 'amount' ||
    (kind !== 'date' && (MONEY_WORDS.test(s) || (!DATE_WORDS.test(s) && !dated.ok)));
  const wantsDate = kind === 'date' || (kind !== 'amount' && (DATE_WORDS.test(s) || !money.ok));
  for (const [, step] of steps) {
    // "日期是11月20日" corrects the payment date, not a second date asked on one branch.
    if (step.type !== 'input' || step.story === false || known[step.fact] === undefined) continue;
    if (step.input === 'money' && wantsMoney && money.ok && !step.intended)
      out[step.fact] = money.value;
    if (step.input === 'date' && wantsDate && dated.ok && !(money.ok && wantsMoney))
      out[step.fact] = dated.value;
    // 「名字那栏是空的」: the name is not given; "the name is Li Ming": the name after "is".
    if (step.input === 'text' && kind === 'empty') out[step.fact] = '';
    if (step.input === 'text' && kind === 'recipient') {
      const name = nameAfter(text);
      if (name !== undefined) out[step.fact] = name;
    }
  }
  // "其实他没拉黑我，还能联系": a known yes/no fact the correction states otherwise.
  // Only a sentence: a bare 「不是」 answers the question asked and corrects nothing.
  if (Object.keys(out).length === 0 && isStory(s)) {
    const stated: Facts = { ...story.facts(text) };
    const several = flow.definition.stories?.several?.fact;
    if (several && severalOf(s)) stated[several] = true;
    for (const [fact, value] of Object.entries(stated))
      if (known[fact] !== undefined) out[fact] = value;
  }
  // A changed choice names exactly one option of a known fact; not when the message
  // corrected a value ("金额错了 应该是900" is not the option 「金额输错了」).
  const valueCorrected = Object.keys(out).length > 0;
  for (const [stepId, step] of steps) {
    if (valueCorrected) break;
    if (step.type !== 'choice' || !step.fact || known[step.fact] === undefined) continue;
    const id = mentionedOption(s, words.choice(stepId, step));
    if (id !== undefined) out[step.fact] = id;
  }
  return Object.fromEntries(Object.entries(out).filter(([fact, value]) => known[fact] !== value));
}

// 「不是500」, "not 500", "wasn't 500": a denied value, up to the next break.
const DENIED =
  /(?:并不是|而不是|不是|\bnot\b|\bwasn't\b|\bisn't\b|\bwasnt\b|\bisnt\b)\s*[^,，。;；!！?？\s是]*(?:\s*(?:块|元|yuan|rmb))?/gu;

function oneDateRead(s: string, today: string): { ok: true; value: string } | { ok: false } {
  const value = oneDate(s, today);
  return value === undefined ? { ok: false } : { ok: true, value };
}

/** The name a recipient correction gives: what follows its last "是" / "is" (written as typed). */
function nameAfter(text: string): string | undefined {
  const written = text.normalize('NFKC').replace(/\s+/g, ' ').trim();
  const m = /(?:应该是|其实是|是|\bis\b|\bwas\b|[:：])\s*([^,，。;；!！?？]+?)\s*[。.!！]?$/u.exec(
    written,
  );
  const name = m?.[1]?.replace(/^(?:actually|really)\s+/iu, '').trim();
  return name && name.length <= 60 ? name : undefined;
}

/** Every fact a message states clearly, for any step but `except` (being answered now). */
function statedFacts(
  flow: CompiledFlow,
  story: StoryYesNo,
  words: StepWords,
  text: string,
  today: string,
  known: Facts,
  except?: string,
): Facts {
  const steps = Object.entries(flow.definition.steps);
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
  // Yes/no facts by meaning, clause by clause (a strict screen only ever gets "yes").
  const yesNo = story.facts(text, except);
  Object.assign(out, Object.fromEntries(Object.entries(yesNo).filter(([f]) => !(f in out))));
  const roles = flow.definition.stories ?? {};
  const count = roles.several;
  const unless = count?.unless;
  // A duplicate is two payments of one amount: the amount asked is that one payment.
  const situation = out[unless?.fact ?? ''] ?? known[unless?.fact ?? ''];
  const oneOfTwo = unless !== undefined && unless.values.includes(String(situation));
  if (count && oneOfTwo) delete out[count.fact];
  const several = count === undefined || oneOfTwo ? undefined : severalOf(s);
  if (count && several && out[count.fact] === undefined) out[count.fact] = true;
  // Outside its own question an amount needs a sign that it is money ("付了500", "500块"):
  // a bare "1" is an option number, not one yuan.
  const money = MONEY_CONTEXT.test(s) ? readMoney(text, { story: true }) : ({ ok: false } as const);
  const zeros = roles.wrongAmount ? extraZeros(s) : 0;
  // "每次两百" is one payment of several: the amount asked is the total, or nothing.
  const paid = !money.ok ? undefined : saysEach(s) && !oneOfTwo ? several?.total : money.value;
  const intended = !money.ok
    ? undefined
    : (money.intended ??
      (zeros && paid !== undefined && paid % 10 ** zeros === 0 ? paid / 10 ** zeros : undefined));
  // Several payments on several days: the payment date asked is the first one's (the
  // earliest: its deadlines come first), never a later one.
  const dates = [...paymentDates(s, today)].sort();
  const date = dates.length === 1 || (count && out[count.fact] === true) ? dates[0] : undefined;
  for (const [stepId, step] of steps) {
    if (stepId === except || !isExtractable(step) || step.type !== 'input') continue;
    if (out[step.fact] !== undefined) continue;
    if (step.input === 'money') {
      const value = step.intended ? intended : paid;
      if (value !== undefined) out[step.fact] = value;
    }
    if (step.input === 'date' && date !== undefined) out[step.fact] = date;
  }
  storyRoles(flow, s, out, zeros !== 0 || (intended !== undefined && paid !== undefined));
  return out;
}

/**
 * The flow's `stories:` roles: zeros too many or an amount meant choose "wrong amount"; a
 * child named only as the one paid to is no child paying; an impostor turns a "loan" into a
 * scam; a child's age chooses the option whose ages hold it.
 */
function storyRoles(flow: CompiledFlow, s: string, out: Facts, wrongAmount: boolean): void {
  const roles = flow.definition.stories ?? {};
  const wrong = roles.wrongAmount;
  if (wrong && wrongAmount && out[wrong.fact] === undefined) out[wrong.fact] = wrong.value;
  const child = roles.childPaying;
  if (
    child &&
    out[child.fact] === child.value &&
    out[child.payer] !== true &&
    CHILD_PAID_TO.test(s)
  )
    delete out[child.fact];
  if (child && out[child.fact] !== undefined && out[child.fact] !== child.value)
    delete out[child.payer];
  const impostor = roles.impersonation;
  if (impostor && out[impostor.fact] === true) {
    if (out[impostor.of] === undefined || out[impostor.of] === impostor.replaces)
      out[impostor.of] = impostor.with;
    delete out[impostor.fact];
  }
  const age = childAgeOf(s);
  if (age === undefined) return;
  for (const step of Object.values(flow.definition.steps)) {
    if (step.type !== 'choice' || !step.fact || out[step.fact] !== undefined) continue;
    const hit = step.options.filter((o) => o.ages && age >= o.ages[0] && age <= o.ages[1]);
    if (hit.length === 1 && hit[0]) out[step.fact] = hit[0].id;
  }
}

// 「给女儿发红包」「转给儿子」"sent my son": the child is who was paid, not who paid.
const CHILD_PAID_TO =
  /(?:给|发给|转给|帮|替)(?:我|我的|我家)?(?:孩子|小孩|儿子|女儿|闺女|娃|孙子|孙女)|\b(?:to|for|sent|gave) (?:my )?(?:son|daughter|kid|child)\b/u;

/** More than a word or two: Chinese of six characters or more, or three words or more. */
function isStory(s: string): boolean {
  const han = s.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= 6 || s.split(/\s+/).filter(Boolean).length >= 3;
}

// A clause about finding out, or a call or message from someone, not about paying: its date
// is not the payment date (「上周五付的，昨天才发现」, "someone called yesterday").
const LEARNT =
  /发现|才知道|知道了|看到|看账单|注意到|想起|反应过来|打电话|来电|联系我|找我|加我|找上我|\b(?:found|noticed|realis|realiz|called|rang|phoned|contacted|messaged me|texted me|checked)/u;
const PAID =
  /付|转|打赏|赞赏|扫|红包|充|买|刷|给了|打了|\b(?:paid|pay|sent|send|tipped|transferred|scanned|bought|gave)\b/u;

/**
 * The one payment date a story names: dates in clauses about finding out or being called are
 * not it; nothing when it names none, or several for the payment.
 */
function oneDate(s: string, today: string): string | undefined {
  const values = paymentDates(s, today);
  return values.size === 1 ? [...values][0] : undefined;
}

/** The dates of the story's clauses about paying (see oneDate). */
function paymentDates(s: string, today: string): Set<string> {
  const values = new Set<string>();
  for (const clause of s.split(/[,，。;；!！?？\n]+|\s(?=but\s|and\s|then\s)/u)) {
    const learnt = LEARNT.test(clause) && !PAID.test(clause.replace(LEARNT, ''));
    for (const m of clause.matchAll(DATE_IN_TEXT)) {
      const read = parseDate(m[0], today);
      if (read.ok && !learnt) values.add(read.value);
    }
  }
  return values;
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
