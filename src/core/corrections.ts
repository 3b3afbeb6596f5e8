import type { CompiledFlow } from '../flow/compile.js';
import type { Step } from '../flow/schema.js';
import type { Facts } from '../shared/types.js';
import type { CorrectionForm } from './correction-form.js';
import { mentionedOption, normalize } from './interpret/index.js';
import { parseDate } from './interpret/date.js';
import { readMoney } from './interpret/money.js';
import type { StepWords } from './step-words.js';
import { isStory, oneDate } from './story-dates.js';
import { severalOf } from './story-typed.js';
import type { StoryYesNo } from './story-yesno.js';

type Steps = ReadonlyArray<[string, Step]>;

// Words that mark a message as a correction of something said before.
const CORRECTION =
  /^(?:不是|不对|(?:说|记|写|抄)?错了|应该是|其实是|改成|改为|更正)|(?:金额|钱数|日期|时间|付款日期)(?:应该)?是|(?:金额|钱数|日期|时间|日子)(?:说|写|记|填)?(?:不对|错了|搞错)|^(?:no,? )?(?:actually|correction)|\b(?:the )?(?:amount|date) (?:was|is|should be)\b|\bi meant\b|\bnot [^,]+, (?:it was|but)\b|[\d一二两三四五六七八九十百千万.]+\s*(?:块|元|yuan)?\s*(?:而?不是|\bnot\b)\s*[\d一二两三四五六七八九十百千万.]+/u;
const MONEY_WORDS = /金额|钱数|多少钱|\bamount\b/u;
const DATE_WORDS = /日期|时间|哪天|\bdate\b|\bday\b/u;
// The amount the user meant to pay, not the one paid.
const MEANT =
  /本来|原本|本想|想付|想打|想给|想发|打算付|应该付|只要付|\b(?:meant|intended|wanted|trying) to\b|\bsupposed to\b|\bintended\b|\b(?:amount|one|what) i meant\b/u;
// 「名字那里看不到」 said at a later step is a remark, not a correction of the name known:
// only a message that says it corrects ("其实名字那一栏是空白的") empties it.
const SAYS_ACTUALLY = /其实|实际上|原来|\bactually\b|\bin fact\b/u;
// After the last of these comes the corrected value: "不是500，是5000" → "5000".
const VALUE_AFTER = /.*(?:是|改成|改为|为|was|is|to|be|meant)\s*/su;

/** "不是500，是5000", "日期是上周三", "不是被骗，是转错人了": the known facts a message changes. */
export function corrections(
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
  // A changed choice ("it was a red packet not a transfer", 「刚才说后悔 其实是被骗了」) has
  // no value to read: its own words say it corrects, and an option names the change. The
  // correction-form classifier, tried with choice examples, took none of the dev set's 36
  // (each reads like the option's answer examples, its negatives), so these words decide.
  const choiceOnly = !CORRECTION.test(s) && kind === undefined;
  if (choiceOnly && !CORRECTS_CHOICE.test(s)) return {};
  // What is denied is not the new value: "是200不是500", "200 not 500" → "200".
  const asserted = s.replace(DENIED, ' ');
  const tail = asserted.replace(VALUE_AFTER, '').trim() || asserted;
  const out: Facts = {};
  const money = readMoney(tail, { story: true });
  const date = parseDate(tail, today);
  const dated = date.ok ? date : oneDateRead(tail, today);
  const meant = MEANT.test(s);
  const wantsMoney =
    kind === 'amount' ||
    (kind !== 'date' && (MONEY_WORDS.test(s) || (!DATE_WORDS.test(s) && !dated.ok)));
  const wantsDate = kind === 'date' || (kind !== 'amount' && (DATE_WORDS.test(s) || !money.ok));
  for (const [, step] of choiceOnly ? [] : steps) {
    // "日期是11月20日" corrects the payment date, not a second date asked on one branch.
    if (step.type !== 'input' || step.story === false || known[step.fact] === undefined) continue;
    // 「我本来想付的是50」 corrects the amount meant, not the amount paid.
    if (
      step.input === 'money' &&
      wantsMoney &&
      money.ok &&
      !OTHER_MONEY.test(s) &&
      Boolean(step.intended) === meant
    )
      out[step.fact] = money.value;
    if (step.input === 'date' && wantsDate && dated.ok && !(money.ok && wantsMoney))
      out[step.fact] = dated.value;
    // 「名字那栏是空的」: the name is not given; "the name is Li Ming": the name after "is".
    if (step.input === 'text' && kind === 'empty' && (CORRECTION.test(s) || SAYS_ACTUALLY.test(s)))
      out[step.fact] = '';
    if (step.input === 'text' && kind === 'recipient') {
      const name = nameAfter(text);
      if (name !== undefined) out[step.fact] = name;
    }
  }
  // "其实他没拉黑我，还能联系": a known yes/no fact the correction states otherwise.
  // Only a sentence: a bare 「不是」 answers the question asked and corrects nothing.
  if (!choiceOnly && Object.keys(out).length === 0 && isStory(s)) {
    const stated: Facts = { ...story.facts(text) };
    const several = flow.definition.stories?.several?.fact;
    if (several && severalOf(s)) stated[several] = true;
    for (const [fact, value] of Object.entries(stated))
      if (known[fact] !== undefined) out[fact] = value;
  }
  // A changed choice names exactly one option of a known fact; not when the message
  // corrected a value ("金额错了 应该是900" is not the option 「金额输错了」).
  const valueCorrected = Object.keys(out).length > 0;
  // The option denied is not the one meant: 「不是赞赏码 是收款码」, "a red packet not a transfer".
  const kept = s.replace(DENIED_OPTION, ' ');
  for (const [stepId, step] of steps) {
    if (valueCorrected) break;
    if (step.type !== 'choice' || !step.fact || known[step.fact] === undefined) continue;
    // Never the option denied: read without it only.
    const id = mentionedOption(kept, words.choice(stepId, step));
    if (id !== undefined) out[step.fact] = id;
  }
  return Object.fromEntries(Object.entries(out).filter(([fact, value]) => known[fact] !== value));
}

// Words that say a choice made before was wrong, or is corrected.
const CORRECTS_CHOICE =
  /搞错|选错|看错|说错|记错|弄错|搞混|其实|实际上|不是|唔係|不算|与其说|\bactually\b|\bnot\b|\bwrong\b|\bmy bad\b|\binstead\b|\bmistake|\bno wait\b/u;

// Money other than the payment's: more asked for, money left, a refund, a fee ("actually he
// wants another 300", 「其实我卡里只剩50了」): no amount corrected, whatever the form says.
const OTHER_MONEY =
  /\b(?:another|more|left|remaining|balance|back|refund(?:ed)?|owes?|fees?|deposit)\b|剩|还要|又让|再转|再付|退了?我|还我|余额|保证金|手续费/u;

// 「不是500」, "not 500", "wasn't 500": a denied value, up to the next break.
const DENIED =
  /(?:并不是|而不是|不是|\bnot\b|\bwasn't\b|\bisn't\b|\bwasnt\b|\bisnt\b)\s*[^,，。;；!！?？\s是]*(?:\s*(?:块|元|yuan|rmb))?/gu;

// A denied option, to the end of its clause ("not a reward code", 「不是红包」).
const DENIED_OPTION =
  /(?:并不是|而不是|不是|唔係|\bnot\b|\bwasn't\b|\bwasnt\b|\bisn't\b|\bisnt\b)[^,，。;；!！?？]*?(?=[,，。;；!！?？]|$|\s(?:是|係|it|its|it's|but)\b|\s+(?=是|係))/gu;

function oneDateRead(s: string, today: string): { ok: true; value: string } | { ok: false } {
  const value = oneDate(s, today);
  return value === undefined ? { ok: false } : { ok: true, value };
}

const NOT_A_NAME =
  /^(?:wrong|incorrect|not right|mistaken|misspelled|off|different|错的?|错了|不对|写错了|搞错了|打错了)$/iu;

/** The name a recipient correction gives: what follows its last "是" / "is" (written as typed). */
function nameAfter(text: string): string | undefined {
  const written = text.normalize('NFKC').replace(/\s+/g, ' ').trim();
  const m = /(?:应该是|其实是|是|\bis\b|\bwas\b|[:：])\s*([^,，。;；!！?？]+?)\s*[。.!！]?$/u.exec(
    written,
  );
  const name = m?.[1]
    ?.replace(/^(?:actually|really)\s+/iu, '')
    // "sunny bakery not sunny cafe": the denied name after it is not part of the name.
    .replace(/\s*,?\s*(?:\bnot\b|而不是|不是).*$/u, '')
    .trim();
  // "the name is wrong": a word about the name is no name.
  if (name && NOT_A_NAME.test(name)) return undefined;
  return name && name.length <= 60 ? name : undefined;
}
