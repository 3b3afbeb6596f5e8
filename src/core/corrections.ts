import type { CompiledFlow } from '../flow/compile.js';
import { notMoneyNumbers, withoutNotMoney } from './story-money.js';
import type { Step } from '../flow/schema.js';
import type { FactValue, Facts } from '../shared/types.js';
import type { CorrectionForm } from './correction-form.js';
import { mentionedOption, namedOptions, normalize } from './interpret/index.js';
import { parseDate } from './interpret/date.js';
import { addDays } from '../shared/calendar.js';
import { readMoney } from './interpret/money.js';
import type { StepWords } from './step-words.js';
import { isStory, oneDate } from './story-dates.js';
import { severalOf } from './story-typed.js';
import type { StoryYesNo } from './story-yesno.js';

type Steps = ReadonlyArray<[string, Step]>;

const MONEY_WITH_UNIT = /\d+(?:\.\d+)?\s*(?:[kw](?![a-z])|块|元|yuan|rmb)/gu;

/** How sure the correction-form model must be that a message corrects (any kind). */
const CORRECTING_TAKE = 0.8;

// Words that mark a message as a correction of something said before.
// An error owned (「我记错了」, 「打错」, 「说多了」, "my bad", "typo") says what follows corrects.
const CORRECTION =
  /^(?:不是|不对|错了|应该是|其实是)|(?:说|记|写|抄|打|输|弄|搞|看)错|(?:说|写|打)(?:多|少)了|多打|少打|唔係|唔啱|其实(?:是|就|只)|改成|改为|改(?:一)?下|更正|(?:金额|钱数|日期|时间)应(?:该)?为|\bmy bad\b|\btypo\b|\bscratch that\b|\bmake (?:that|it)\b|\bmy mistake\b|(?:金额|钱数|日期|时间|付款日期)(?:应该)?是|(?:金额|钱数|日期|时间|日子)(?:说|写|记|填)?(?:不对|错了|搞错)|^(?:no,? )?(?:actually|correction)|\b(?:the )?(?:amount|date) (?:was|is|should be)\b|\bi meant\b|\bnot [^,]+, (?:it was|but)\b|[\d一二两三四五六七八九十百千万.]+\s*(?:[kw]\b|块|元|yuan)?\s*(?:而?不是|唔係|\bnot\b)\s*[\d一二两三四五六七八九十百千万.]+/u;
export const MONEY_WORDS = /金额|钱数|多少钱|\bamount\b/u;
export const RECIPIENT_WORDS =
  /名字|收款人|收款方|收钱的|昵称|\bname\b|\brecipient\b|\bpayee\b|\baccount name\b/u;
export const DATE_WORDS = /日期|时间|哪天|日子|那天|\bdate\b|\bday\b/u;
// The amount the user meant to pay, not the one paid ("should've been 99": what the payment
// ought to have been).
export const MEANT =
  /本来|原本|本想|想付|想打|想给|想发|打算付|应该付|只要付|\b(?:meant|intended|wanted|trying) to\b|\bsupposed to\b|\bintended\b|\b(?:amount|one|what) i meant\b|\bshould(?:'ve| have) been\b/u;
// 「名字那里看不到」 said at a later step is a remark, not a correction of the name known:
// only a message that says it corrects ("其实名字那一栏是空白的") empties it.
const SAYS_ACTUALLY = /其实|实际上|原来|\bactually\b|\bin fact\b/u;
// After the last of these comes the corrected value: "不是500，是5000" → "5000".
// Latin ones as whole words ("the day before" has no "be" in it).
const VALUE_AFTER = /.*(?:是|係|改成|改为|为|\b(?:was|is|to|be|meant)\b)\s*/su;

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
  // 「我老公说我记错了 但我确定…」, "he says I sent the wrong amount": someone else's words
  // are not the user's correction; only what the user says besides them is read.
  const mine = withoutReported(text);
  if (mine !== text)
    return mine.trim() ? corrections(flow, steps, words, form, story, mine, today, known) : {};
  const s = normalize(text);
  // The form by its words, or by meaning ("oh wait, it was 200 not 500").
  // A short answer ("是", "1", "跳过") is no correction: the model is not asked (cost).
  // Nor is a bare value without a word that says it corrects ("on tuesday", 「上周二」 said
  // at a later step): it answers a question, and the model reads it as a date corrected.
  const bare = !isStory(s) && !CORRECTION.test(s) && !CORRECTS_CHOICE.test(s);
  const kind = s.length >= 4 && !bare ? form.kind(text) : undefined;
  // What is denied is not the new value: "是200不是500", "200 not 500" → "200".
  const asserted = s.replace(DENIED, ' ');
  // 「我是想发88的红包 不是8块」: a number denied and another said is a value corrected,
  // whatever stands between them.
  const contrast =
    (deniesNumber(s) && readMoney(asserted, { story: true }).ok) ||
    (deniesDate(s, today) && oneDateRead(asserted, today).ok);
  // Or the model is sure it is a correction, of a kind the typed readers then tell
  // (「钱是一千二 前面说错了」: amount or date, it is a correction).
  const byModel = kind !== undefined || (!bare && form.correcting(text) >= CORRECTING_TAKE);
  // A changed choice ("it was a red packet not a transfer", 「刚才说后悔 其实是被骗了」) has
  // no value to read: its own words say it corrects, and an option names the change. The
  // correction-form classifier, tried with choice examples, took none of the dev set's 36
  // (each reads like the option's answer examples, its negatives), so these words decide.
  // 「想付的是8.8」, "i was trying to pay 35" once the amount meant is known: what was meant,
  // said again, is its new value. The model reads these as answers (none >= 0.9 on the dev
  // sets: they are the intended-amount question's examples), so the words decide.
  const restatesMeant =
    MEANT.test(s) &&
    readMoney(asserted, { story: true }).ok &&
    steps.some(([, st]) => st.type === 'input' && st.intended && known[st.fact] !== undefined);
  // The name corrected by its words (「对方昵称是lucky 不是lucy」), not an amount or a date.
  // A question about the name (「名字应该是写昵称还是真名？」) gives none.
  const asks = /[?？]|吗|还是|\bor\b/u.test(s);
  const aboutName =
    (kind === 'recipient' && !asks) ||
    (kind === undefined &&
      !asks &&
      RECIPIENT_WORDS.test(s) &&
      !MONEY_WORDS.test(s) &&
      !DATE_WORDS.test(s) &&
      (CORRECTION.test(s) ||
        CORRECTS_CHOICE.test(s) ||
        SAYS_ACTUALLY.test(s) ||
        /应该是|应为|\bshould be\b/u.test(s)));
  const choiceOnly = !CORRECTION.test(s) && !contrast && !byModel && !restatesMeant && !aboutName;
  if (choiceOnly && !CORRECTS_CHOICE.test(s)) return {};
  const tail = asserted.replace(VALUE_AFTER, '').trim() || asserted;
  const out: Facts = {};
  // An age or a count is no amount, wherever the words that make it one stand ("my mom paid,
  // she is 78", 「是我妈付的，她75了」 gave ¥78 and ¥75).
  let moneyTail = withoutNotMoney(tail);
  for (const digits of notMoneyNumbers(asserted))
    moneyTail = moneyTail.replace(new RegExp(`(?<!\\d)${digits}(?!\\d)`, 'u'), ' ');
  const money = readMoney(moneyTail, { story: true });
  // 「1.5k」 is money, never January 5th.
  const dayTail = tail.replace(MONEY_WITH_UNIT, ' ');
  const date = parseDate(dayTail, today);
  const dated = date.ok ? date : (dayRelative(s, dayTail, today) ?? oneDateRead(dayTail, today));
  const meant = MEANT.test(s);
  // 「其实是12.2付的」 reads as ¥12.2 and as 12月2日: without a word for money or a date, it
  // is neither, whatever the model says the form is.
  // An amount meant is money ("meant to send 1.5").
  const twoWays =
    money.ok && dated.ok && !MONEY_WORDS.test(s) && !DATE_WORDS.test(s) && !MEANT.test(s);
  // A name corrected ("i typed the name wrong its Momo_88") is neither an amount nor a date.
  const wantsMoney =
    (!aboutName && kind === 'amount' && !twoWays) ||
    (!aboutName &&
      kind === undefined &&
      (MONEY_WORDS.test(s) || (!DATE_WORDS.test(s) && (!dated.ok || meant))));
  const wantsDate =
    (kind === 'date' && !twoWays) ||
    (!aboutName && kind === undefined && (DATE_WORDS.test(s) || (!money.ok && !meant)));
  for (const [, step] of choiceOnly ? [] : steps) {
    // "日期是11月20日" corrects the payment date, not a second date asked on one branch.
    if (step.type !== 'input' || step.story === false || known[step.fact] === undefined) continue;
    // 「我本来想付的是50」 corrects the amount meant, not the amount paid.
    // "本来想付5块 结果付了500" said again gives both: each to its own fact.
    if (step.input === 'money' && wantsMoney && money.ok && !OTHER_MONEY.test(s)) {
      if (money.intended !== undefined)
        out[step.fact] = step.intended ? money.intended : money.value;
      else if (Boolean(step.intended) === meant) out[step.fact] = money.value;
    }
    if (step.input === 'date' && wantsDate && dated.ok && !(money.ok && wantsMoney))
      out[step.fact] = dated.value;
    // 「名字那栏是空的」: the name is not given; "the name is Li Ming": the name after "is".
    if (step.input === 'text' && kind === 'empty' && (CORRECTION.test(s) || SAYS_ACTUALLY.test(s)))
      out[step.fact] = '';
    // The recipient by the model, or by its words in a correction (「收款方叫晨曦读书会 我刚才
    // 写错了」: the model is not sure of these), or the name known denied (「不是小王 是小汪」).
    const namesRecipient = aboutName || (!asks && deniesKnown(s, known[step.fact]));
    if (step.input === 'text' && namesRecipient) {
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
  // A message with an amount or a date in it ("typo, 1k not 10k") is about a value, even
  // where none was read: no option is changed by its other words ("typo" is no situation).
  const aboutValue =
    Object.keys(out).length > 0 ||
    readMoney(asserted, { story: true }).ok ||
    parseDate(asserted, today).ok ||
    oneDateRead(asserted, today).ok;
  if (aboutValue) return changed(out, known);
  // The option denied is not the one meant: 「不是赞赏码 是收款码」, "a red packet not a transfer".
  const denials = s.match(DENIED_OPTION) ?? [];
  const kept = s.replace(DENIED_OPTION, ' ');
  const choices: Facts = {};
  const deniedFacts = new Set<string>();
  for (const [stepId, step] of steps) {
    if (step.type !== 'choice' || !step.fact || known[step.fact] === undefined) continue;
    const options = words.choice(stepId, step);
    // Never the option denied: read without it only.
    const id = mentionedOption(kept, options);
    if (id !== undefined && id !== known[step.fact]) choices[step.fact] = id;
    // "not a loan, it was a tip": the fact whose option is denied is the one corrected.
    if (denials.some((d) => namedOptions(d.replace(DENIAL_WORD, ' '), options).length > 0))
      deniedFacts.add(step.fact);
  }
  const changes = Object.keys(choices);
  const denied = changes.filter((f) => deniedFacts.has(f));
  const named = denied.length > 0 ? denied : changes;
  // A changed choice names exactly one known fact: two, and which was meant is not clear.
  if (named.length === 1) {
    const [fact] = named as [string];
    out[fact] = choices[fact] as FactValue;
  }
  return changed(out, known);
}

const changed = (out: Facts, known: Facts): Facts =>
  Object.fromEntries(Object.entries(out).filter(([fact, value]) => known[fact] !== value));

// Whose words a clause reports: another person's ("他说", "my wife thinks"), not the user's
// own 「我说错了」. Their claim, to the next "but", is no correction by the user (the second
// set's 「我老公说我记错了 但我确定就是这个数」, "he says I sent the wrong amount …"). A rule:
// the correction-form model reads the claim's words and cannot tell whose they are.
const REPORTED =
  /(?:他|她|对方|人家|老公|老婆|丈夫|妻子|爱人|客服|卖家|商家|骗子|朋友|家人|儿子|女儿|孩子|妈妈?|爸爸?)(?:们)?(?:一直|非|硬|坚持|却|也)?(?:说|讲|觉得|认为|以为|怀疑|非说)[^。；;!！?？]*?(?=但是?|可是|不过|[。；;!！?？]|$)|\b(?:he|she|they|my (?:wife|husband|partner|son|daughter|mom|mum|dad|friend|kid)|the (?:[\w'"‘’“”-]+\s+){0,3}(?:seller|scammer|guy|person|agent|support|man|woman|lady|caller|rep|officer)|customer service)\s+(?:says|said|thinks|thought|claims|claimed|insists|insisted|keeps saying|told me)\b.*?(?=\bbut\b|[.;!?]|$)/giu;

export function withoutReported(text: string): string {
  return REPORTED.test(text)
    ? text.replace(REPORTED, ' ').replace(/^\s*(?:但是?|可是|不过|but)\b/iu, ' ')
    : text;
}

// "not yesterday, the day before", 「不是昨天 是再前一天」: a day next to the one denied.
function dayRelative(
  s: string,
  tail: string,
  today: string,
): { ok: true; value: string } | undefined {
  const step = /^(?:the )?day before$|^(?:再)?前一天$/u.test(tail.trim())
    ? -1
    : /^(?:the )?day after$|^(?:再)?后一天$/u.test(tail.trim())
      ? 1
      : 0;
  if (step === 0) return undefined;
  const denied = (s.match(DENIED) ?? [])
    .map((d) => parseDate(d.replace(DENIAL_WORD, ' '), today))
    .find((r) => r.ok);
  if (!denied?.ok) return undefined;
  const value = addDays(denied.value, step);
  return value <= today ? { ok: true, value } : undefined;
}

// The name known, denied: 「不是小王 是小汪」, "not xiao wang, it's xiao huang".
function deniesKnown(s: string, name: FactValue | undefined): boolean {
  if (typeof name !== 'string' || name.trim().length < 2) return false;
  const known = normalize(name);
  return (s.match(DENIED_OPTION) ?? []).some((d) => d.replace(DENIAL_WORD, ' ').trim() === known);
}

// A day denied: 「不是昨天」, "not today".
function deniesDate(s: string, today: string): boolean {
  return (s.match(DENIED) ?? []).some((d) => oneDateRead(d.replace(DENIAL_WORD, ' '), today).ok);
}

// A number denied: 「不是8块」, "not 10k".
function deniesNumber(s: string): boolean {
  return (s.match(DENIED) ?? []).some((d) => /[\d一二两三四五六七八九十百千万]/u.test(d));
}

// Words that say a choice made before was wrong, or is corrected.
const CORRECTS_CHOICE =
  /搞错|选错|看错|说错|记错|弄错|搞混|其实|实际上|不是|唔係|不算|与其说|\bactually\b|\bnot\b|\bwrong\b|\bmy bad\b|\binstead\b|\bmistake|\bno wait\b/u;

// Money other than the payment's: more asked for, money left, a refund, a fee ("actually he
// wants another 300", 「其实我卡里只剩50了」): no amount corrected, whatever the form says.
const OTHER_MONEY =
  /\b(?:another|more|left|remaining|balance|back|refund(?:ed)?|owes?|fees?|deposit)\b|剩|还要|又让|再转|再付|退了?我|还我|余额|保证金|手续费/u;

// 「不是500」, "not 500", "wasn't 500": a denied value, up to the next break.
// 「我刚说成200了」, "i said 20 but …": the value said before, denied too.
export const DENIED =
  /(?:并不是|而不是|不是|唔係|唔是|说成|打成|写成|\bi said\b|\bnot\b|\bwasn't\b|\bisn't\b|\bwasnt\b|\bisnt\b)\s*[^,，。;；!！?？\s是係]*(?:\s*(?:块|元|yuan|rmb))?/gu;

export const DENIAL_WORD =
  /(?:刚才|之前|前面|上面)说(?:的是)?|并不是|而不是|不是|唔係|\bnot\b|\bwasn't\b|\bwasnt\b|\bisn't\b|\bisnt\b/gu;

// A denied option, to the end of its clause ("not a reward code", 「不是红包」).
// 「刚才说后悔 其实是被骗了」: what was said before, in a correction, is the option denied.
const DENIED_OPTION =
  /(?:并不是|而不是|不是|唔係|(?:刚才|之前|前面|上面)说(?:的是)?|\bnot\b|\bwasn't\b|\bwasnt\b|\bisn't\b|\bisnt\b)[^,，。;；!！?？]*?(?=[,，。;；!！?？]|$|\s(?:是|係|it|its|it's|but)\b|\s+(?=是|係|其实|实际))/gu;

function oneDateRead(s: string, today: string): { ok: true; value: string } | { ok: false } {
  const value = oneDate(s, today);
  return value === undefined ? { ok: false } : { ok: true, value };
}

// "the name is actually in chinese": a remark about the name, no name.
const NOT_A_NAME =
  /^(?:(?:in|on|at|from|blank|empty|missing|hidden|not|only|just)\b.*|wrong|incorrect|not right|mistaken|misspelled|off|different|错的?|错了|不对|写错了|搞错了|打错了)$/iu;

/**
 * The name a recipient correction gives, written as typed: what follows the last word that
 * introduces it (是, 叫, "is", "says") in the last clause that has one — 「收款方叫晨曦读书会
 * 我刚才写错了」 gives the name, not the remark after it; 「账单上是 小鱼干」 the next clause.
 */
function nameAfter(text: string): string | undefined {
  const written = text.normalize('NFKC').replace(/\s+/g, ' ').trim();
  const clauses = written.split(/[,，。;；!！?？]+|(?<=\p{Script=Han})\s+(?=\p{Script=Han})/u);
  for (let i = clauses.length - 1; i >= 0; i--) {
    const m = NAME_AFTER.exec(clauses[i] ?? '');
    if (!m) continue;
    const name = (m[1]?.trim() || clauses[i + 1]?.trim() || '')
      .replace(/^(?:actually|really)\s+/iu, '')
      // "sunny bakery not sunny cafe": the denied name after it is not part of the name.
      .replace(/\s*(?:\bnot\b|而不是|不是|唔係).*$/u, '')
      .replace(/\s*[。.!！]$/u, '')
      .trim()
      // 'it shows “Big Bear Fitness”': the quotes mark the name, they are not part of it.
      .replace(/^["'“”‘’「」『』]+|["'“”‘’「」『』]+$/gu, '')
      .trim();
    // "the name is wrong": a word about the name is no name.
    if (!name || NOT_A_NAME.test(name)) return undefined;
    return name.length <= 60 ? name : undefined;
  }
  return undefined;
}

// Greedy: the last of these in the clause.
const NAME_AFTER =
  /^.*(?:(?<![不并而唔])是|(?<!唔)係|叫|改成|改为|\bis\b|\bwas\b|\bit'?s\b|\bsays\b|\bshows(?: as)?\b|\bshould be\b|[:：])\s*(.*)$/iu;
