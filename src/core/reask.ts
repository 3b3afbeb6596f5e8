import type { Step } from '../flow/schema.js';
import type { Facts } from '../shared/types.js';
import type { CorrectionForm } from './correction-form.js';
import {
  DATE_WORDS,
  DENIAL_WORD,
  DENIED,
  MEANT,
  MONEY_WORDS,
  RECIPIENT_WORDS,
  withoutReported,
} from './corrections.js';
import { namedOptions, normalize } from './interpret/index.js';
import type { StepWords } from './step-words.js';
import { parseDate } from './interpret/date.js';
import { readMoney } from './interpret/money.js';
import { oneDate } from './story-dates.js';

type Steps = ReadonlyArray<[string, Step]>;

// Says something given was wrong: 「金额不对」, 「名字我看错了」, "the date's off".
const WRONG =
  /不对|错了?|有问题|不是这个|\bwrong\b|\boff\b|\bmistake|\bisn'?t right\b|\bnot right\b|\bincorrect\b|\bnot what\b/u;
// …unless it says it was right (「金额没错」, "not wrong"), or asks (「金额是不是错了？」).
const RIGHT_AFTER_ALL = /没错|没有错|不错|对的|\bnot wrong\b|\bis right\b|\bis correct\b/u;
const ASKS = /[?？]|吗|呢$|怎么|是不是|\bhow (?:do|can)\b|\bwhere\b|\bshould i\b/u;
// The name of the fact said wrong, for the kinds the correction-form model does not have
// (the model's amount / date / recipient kinds are read first), and its words for money, a
// day and a name. A rule: the model is trained to tell corrections from answers, and a
// choice said wrong without the new option reads like an answer (「情况选错了」).
const NAMES: ReadonlyArray<[kind: 'amount' | 'date' | 'recipient' | 'choice', RegExp]> = [
  ['amount', /(?<!收)钱|数|多少|\bamount\b|\bsum\b|\bnumber\b/u],
  ['date', /那天|日子|号/u],
  ['recipient', RECIPIENT_WORDS],
];
const CHOICE_NAMES: Readonly<Record<string, RegExp>> = {
  paymentKind: /付款方式|支付方式|怎么付|\bpayment (?:type|kind|method)\b|\bhow i paid\b/u,
  situation: /情况|经过|发生了什么|\bsituation\b|\bwhat happened\b/u,
};

/**
 * 「金额不对」, "the name is wrong", 「情况选错了」: the one known fact a message says is wrong
 * without giving the new value. It is asked again (never kept, never read as the answer to
 * the question asked); nothing when no fact, or more than one, is named.
 */
export function reasked(
  steps: Steps,
  words: StepWords,
  form: CorrectionForm,
  text: string,
  today: string,
  known: Facts,
): string[] {
  // Someone else's claim (「他说金额不对」) is not the user's.
  const mine = withoutReported(text);
  const s = normalize(mine);
  if (!WRONG.test(s) || RIGHT_AFTER_ALL.test(s) || ASKS.test(s)) return [];
  // A value given is a correction read (or not) by corrections.ts, never a fact asked again.
  const asserted = s.replace(DENIED, ' ');
  if (readMoney(asserted, { story: true }).ok || parseDate(asserted, today).ok) return [];
  if (oneDate(asserted, today) !== undefined) return [];
  // 「付错人了 不是金额问题」, "it wasn't a wrong amount": an option named (said or denied) makes
  // the message about that choice, not an amount or a date said wrong.
  const undenied = s.replace(DENIAL_WORD, ' ');
  const aboutChoice = steps.some(
    ([id, step]) =>
      step.type === 'choice' &&
      step.fact !== undefined &&
      known[step.fact] !== undefined &&
      namedOptions(undenied, words.choice(id, step)).length > 0,
  );
  const kind = s.length >= 4 ? form.kind(mine) : undefined;
  const named = new Set<string>();
  const meant = MEANT.test(s);
  for (const [, step] of steps) {
    if (step.type === 'choice') {
      const words = step.fact ? CHOICE_NAMES[step.fact] : undefined;
      if (step.fact && known[step.fact] !== undefined && words?.test(s)) named.add(step.fact);
      continue;
    }
    if (step.type !== 'input' || step.story === false || known[step.fact] === undefined) continue;
    if (aboutChoice) continue;
    const says = (k: 'amount' | 'date' | 'recipient', words: RegExp) =>
      kind === k || words.test(s) || NAMES.some(([n, w]) => n === k && w.test(s));
    if (step.input === 'money' && Boolean(step.intended) === meant && says('amount', MONEY_WORDS))
      named.add(step.fact);
    if (step.input === 'date' && says('date', DATE_WORDS)) named.add(step.fact);
    if (step.input === 'text' && says('recipient', /$^/u)) named.add(step.fact);
  }
  return named.size === 1 ? [...named] : [];
}
