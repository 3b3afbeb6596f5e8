import type { CompiledFlow } from '../flow/compile.js';
import type { Translators } from './ports.js';
import { createStepWords, type StepWords } from './step-words.js';
import {
  interpretInput,
  mentionedOption,
  normalize,
  parseChoice,
  type Interpretation,
  UNSURE,
} from './interpret/index.js';
import { contradiction } from '../flow/constraints.js';
import { isExtractable } from '../flow/story.js';
import { offersUnsure } from '../flow/unsure.js';
import { listsPayments, MONEY_CONTEXT, storyMoney } from './story-money.js';
import type { Facts } from '../shared/types.js';
import type { ModelBank } from './classify/bank.js';
import { createStepClassifier } from './classify/step-classifier.js';
import { THRESHOLDS, type Thresholds } from './classify/thresholds.js';
import { createCorrectionForm } from './correction-form.js';
import { corrections } from './corrections.js';
import { reasked } from './reask.js';
import { firstPaymentDates, isStory } from './story-dates.js';
import { createStoryYesNo, type StoryYesNo } from './story-yesno.js';
import {
  childAgeOf,
  eachAmount,
  extraZeros,
  manyPayments,
  saysEach,
  severalOf,
} from './story-typed.js';
import { byMeaning, type MeaningContext, type Reader } from './read-by-meaning.js';
import { createStorySignal } from './story-signal.js';
import { storyChoices } from './story-choice.js';

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
  /** 「金额不对」, "the name is wrong": known facts said wrong without a value (asked again). */
  reask(text: string, today: string, known: Facts): string[];
}

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
  const story = createStoryYesNo(flow, options.bank);
  const form = createCorrectionForm(flow, options.bank);
  const guard = createStorySignal(flow, options.bank);
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
    // A story that shows a scam signal does not choose an honest branch (story-signal.ts).
    // The choices a story states in no option's words, by meaning, are read before its
    // amounts and counts: whether "twice, 180 each" is a duplicate or several payments
    // depends on the situation.
    const choices =
      reader === 'rules' || !isStory(normalize(text))
        ? undefined
        : (found: Facts) => storyChoices(flow, classifier, text, found, except);
    const stated = statedFacts(flow, story, words, text, today, known, except, choices);
    const found = guard(text, stated, known, except);
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
    reask: (text, today, known) => reasked(steps, words, form, text, today, known),
  };
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
  byMeaning?: (found: Facts) => Facts,
): Facts {
  const s = normalize(text);
  const out: Facts = {};
  // A short answer ("不确定", "yes", "1") answers its own question and states nothing else.
  if (!isStory(s)) return out;
  const steps = Object.entries(flow.definition.steps);
  // Whose phone or account was used (「用我妈的微信」 "on my dad's phone") says whose account,
  // not who paid: such words choose no option.
  const said = s.replace(ACCOUNT_OF, ' ');
  for (const [stepId, step] of steps) {
    if (stepId === except || !isExtractable(step) || step.type !== 'choice') continue;
    const fact = (step as { fact: string }).fact;
    if (out[fact] !== undefined) continue;
    const id = mentionedOption(said, words.story(stepId, step));
    if (id !== undefined) out[fact] = id;
  }
  // Yes/no facts by meaning, clause by clause (a strict screen only ever gets "yes").
  const yesNo = story.facts(text, except);
  Object.assign(out, Object.fromEntries(Object.entries(yesNo).filter(([f]) => !(f in out))));
  const chosen = byMeaning?.({ ...known, ...out }) ?? {};
  for (const [fact, value] of Object.entries(chosen))
    if (out[fact] === undefined) out[fact] = value;
  const roles = flow.definition.stories ?? {};
  const count = roles.several;
  const unless = count?.unless;
  const counted = severalOf(s);
  const eachPaid = counted ? eachAmount(s) : undefined;
  // One payment made again by mistake (「同样的8600转了两次 转的太快了」, "3 times by
  // accident, 38 each"): a duplicate, whose amount is the one payment. The situation model
  // reads these at 0.1–0.5 (below STORY_CHOICE) on the dev stories, so this rule decides:
  // the same amount each time, and the user's own slip.
  const dupe = unless?.values[0];
  if (
    unless &&
    dupe !== undefined &&
    out[unless.fact] === undefined &&
    known[unless.fact] === undefined &&
    eachPaid !== undefined &&
    REPEATED_BY_MISTAKE.test(s)
  )
    out[unless.fact] = dupe;
  // A duplicate is two payments of one amount: the amount asked is that one payment.
  const situation = out[unless?.fact ?? ''] ?? known[unless?.fact ?? ''];
  // The same payment twice ("the same article twice", 「同一笔付了两次」) is a duplicate too,
  // whether or not the situation was named: each amount is the one payment.
  const oneOfTwo =
    (unless !== undefined && unless.values.includes(String(situation))) ||
    (SAME_TWICE.test(s) && counted?.count === 2);
  // "Paid my landlord twice, 3,200 each": one payment made twice (a duplicate, the amount is
  // one) or several payments (the amount is the total)? While the situation is unknown the
  // count and the amount are left for their questions.
  // Two payments on two days named are no duplicate (「11月5号一笔 11月20号一笔」).
  const days = firstPaymentDates(s, today);
  const unsure =
    unless !== undefined &&
    situation === undefined &&
    eachPaid !== undefined &&
    counted?.count === 2 &&
    days.size < 2;
  if (count && (oneOfTwo || unsure)) delete out[count.fact];
  const several = count === undefined || oneOfTwo || unsure ? undefined : counted;
  if (count && several && out[count.fact] === undefined) out[count.fact] = true;
  if (count && !oneOfTwo && !unsure && manyPayments(s)) out[count.fact] ??= true;
  // Outside its own question an amount needs a sign that it is money ("付了500", "500块"):
  // a bare "1" is an option number, not one yuan.
  const money =
    MONEY_CONTEXT.test(s) || listsPayments(s) ? storyMoney(s) : ({ ok: false } as const);
  // Payments listed one by one (「一笔4万一笔6万」) are several payments.
  if (count && !oneOfTwo && !unsure && money.ok && (money.listed ?? 0) >= 2)
    out[count.fact] ??= true;
  const zeros = roles.wrongAmount ? extraZeros(s) : 0;
  // "每次两百" is one payment of several: the amount asked is the total, or nothing.
  const each = saysEach(s) && !oneOfTwo;
  // Several payments and one amount that is neither a total nor each one's ("转了300 … he
  // did it twice"): whether it is one payment or all of them is unclear, so it is asked.
  const severalSaid = count !== undefined && out[count.fact] === true;
  const paid = unsure
    ? undefined
    : oneOfTwo && eachPaid !== undefined
      ? eachPaid
      : each
        ? several?.total
        : money.ok && (money.total === true || !severalSaid)
          ? money.value
          : undefined;
  const intended =
    !money.ok || each
      ? undefined
      : (money.intended ??
        (zeros && paid !== undefined && paid % 10 ** zeros === 0 ? paid / 10 ** zeros : undefined));
  // Several payments on several days: the payment date asked is the first one's (the
  // earliest: its deadlines come first), never a later one.
  const dates = [...days].sort();
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
  storyRoles(flow, s, out, known, zeros !== 0 || (intended !== undefined && paid !== undefined));
  return out;
}

/**
 * The flow's `stories:` roles: zeros too many or an amount meant choose "wrong amount"; a
 * child named only as the one paid to is no child paying; an impostor turns a "loan" into a
 * scam; a child's age chooses the option whose ages hold it.
 */
function storyRoles(
  flow: CompiledFlow,
  s: string,
  out: Facts,
  known: Facts,
  wrongAmount: boolean,
): void {
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
  // "my 6 yr old bought stuff", 「我15岁 偷偷用…刷了」: a child, named by the age, is the one
  // who did it (the payer model reads these clauses below its threshold).
  if (child && out[child.payer] === undefined && CHILD_PAYS.test(s)) out[child.payer] = true;
  if (child && out[child.fact] !== undefined && out[child.fact] !== child.value)
    delete out[child.payer];
  // "my 13 year old used her own wechat to send gifts": a child who paid is the situation of
  // a child's payment (the flow's payer: situation minor or payerMinor, flow.yaml).
  if (
    child &&
    out[child.payer] === true &&
    out[child.fact] === undefined &&
    known[child.fact] === undefined
  )
    out[child.fact] = child.value;
  const impostor = roles.impersonation;
  if (impostor && out[impostor.fact] === true) {
    if (out[impostor.of] === undefined || out[impostor.of] === impostor.replaces)
      out[impostor.of] = impostor.with;
    delete out[impostor.fact];
  }
  const age = childAgeOf(s);
  for (const step of age === undefined ? [] : Object.values(flow.definition.steps)) {
    if (step.type !== 'choice' || !step.fact || out[step.fact] !== undefined) continue;
    const hit = step.options.filter((o) => o.ages && age! >= o.ages[0] && age! <= o.ages[1]);
    if (hit.length === 1 && hit[0]) out[step.fact] = hit[0].id;
  }
  // The facts of a child's payment, from a story that does not say a child paid: not taken.
  const childPaid =
    child !== undefined &&
    (out[child.fact] === child.value ||
      known[child.fact] === child.value ||
      out[child.payer] === true ||
      known[child.payer] === true);
  if (child && !childPaid) for (const fact of child.facts ?? []) delete out[fact];
  for (const branch of roles.branches ?? []) {
    const on = String(out[branch.fact] ?? known[branch.fact]);
    if (!branch.values.includes(on)) for (const fact of branch.facts) delete out[fact];
  }
}

// 「钱扣了两回」"charged twice": the system took one payment twice (the corpus's duplicate).
const SAME_TWICE =
  /同一|一样的|重复|扣了?(?:两|2|二)(?:次|回|笔)|\b(?:the same|same|double|duplicate|charged twice|deducted twice)\b/u;

// 「用我妈的微信」「拿我爸的手机」"used my mom's phone", 「房东老婆的号被盗了」: an account's
// owner, not the payer.
const ACCOUNT_OF =
  /(?:用|拿|借|偷用|偷偷用|偷偷拿)了?\s*我?(?:妈妈|爸爸|妈|爸|奶奶|爷爷|外婆|外公|姥姥|姥爷|老公|老婆)的(?:微信|手机|账号|号|电话)|(?:妈妈|爸爸|妈|爸|奶奶|爷爷|外婆|外公|姥姥|姥爷|老公|老婆)的(?:微信|账号|号)(?:被盗|被黑|盗了)|\b(?:on|with|using|used|from) (?:my |her |his )?(?:mom|mum|mother|dad|father|grandma|grandpa|grandmother|grandfather|parents?)'?s (?:phone|wechat|account)\b/gu;

// The user's own slip, said of a payment repeated with the same amount (see statedFacts).
const REPEATED_BY_MISTAKE =
  /不小心|太快|手快|手滑|手抖|卡住|卡了|点了两下|多扫|重复|同样|一样|\b(?:by accident|by mistake|accident(?:al)?ly|accidently|the same|same)\b/u;

// A child named with the age, the subject of a payment: "my 13 year old used", "my 6 yr old
// bought", "im 15 and i tipped", 「我女儿14岁 用她自己的微信」, 「我15岁 偷偷用」.
const CHILD_PAYS = new RegExp(
  [
    '\\bmy (?:\\d{1,2}[- ]?(?:yrs?|years?)[- ]old|\\d{1,2} ?yo)(?: (?:son|daughter|kid|boy|girl))? (?:(?:secretly|accidentally|just|somehow) )?(?:used|bought|paid|spent|sent|tipped|scanned|transferred|topped|tapped|clicked|gave)\\b',
    "\\bi'?m (?:[6-9]|1[0-7])\\b(?! ?(?:min|hour|k\\b|yuan|rmb|%))",
    '(?:^|\\s)我(?:今年|才)?(?:[6-9]|1[0-7]|[六七八九]|十[一二三四五六七]?)岁',
    '(?:儿子|女儿|孩子|闺女|小孩|孙子|孙女)(?:才|今年)?\\s*(?:\\d{1,2}|[一二三四五六七八九十]{1,3})岁?\\s*(?:偷偷|自己|背着我)?(?:用|拿|在|买|刷|转|付|扫|充)',
  ].join('|'),
  'u',
);

// 「给女儿发红包」「转给儿子」"sent my son": the child is who was paid, not who paid.
const CHILD_PAID_TO =
  /(?:给|发给|转给|帮|替)(?:我|我的|我家)?(?:孩子|小孩|儿子|女儿|闺女|娃|孙子|孙女)|\b(?:to|for|sent|gave) (?:my )?(?:son|daughter|kid|child)\b/u;

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
    const read = interpretInput(
      step.input,
      text,
      today,
      step.optional,
      words.yesNo(stepId, step),
      step.strict,
    );
    // "Not sure" to a question that offers only yes or no is asked again, not taken as no.
    if (read.ok && read.value === UNSURE && !offersUnsure(step))
      return { ok: false, reason: 'yesnoOnly' };
    return read;
  }
  if (step?.type !== 'choice') return { ok: false, reason: 'choice' };
  const id = parseChoice(text, words.choice(stepId, step), true);
  return id === undefined ? { ok: false, reason: 'choice' } : { ok: true, value: id };
}
