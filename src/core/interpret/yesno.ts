import { normalize } from './normalize.js';

/**
 * A yes/no answer as people give it. `unsure` is its own value ("不知道", "not sure"), so a
 * flow can route it to the safer plan instead of it silently counting as "no".
 */
export type YesNo = true | false | 'unsure';
export const UNSURE = 'unsure';

/**
 * What a yes/no question's answer may say by implication, per step (the flow's `answers:`):
 * "对方把我拉黑了" says "no" to "can you reach them?", "他骗了我" says "yes" to "were you
 * deceived?". Each phrase read under a negation ("没骗我", "didn't scam me") flips.
 * Phrases must already be normalized.
 */
export interface YesNoHints {
  yes: readonly string[];
  no: readonly string[];
}

// A whole clause that is one of these is the answer. Particles after it are dropped first.
const YES_WORDS = new Set([
  '是',
  '对',
  '有',
  '嗯',
  '嗯嗯',
  '恩',
  '恩恩',
  '好',
  '要',
  '需要',
  '可以',
  '能',
  '会',
  '行',
  '没错',
  '不错',
  '确认',
  '确定',
  '确实',
  '当然',
  '肯定',
  '知道',
  '正是',
  '就是',
  '是滴',
  '对头',
  '联系得上',
  '找得到',
  '能联系上',
  '可以联系',
  'yes',
  'y',
  'yeah',
  'yep',
  'yup',
  'ya',
  'ok',
  'okay',
  'sure',
  'correct',
  'right',
  'true',
  'indeed',
  'absolutely',
  'of course',
  'i think so',
  'i can',
  'i do',
  'i did',
  'it is',
  'they are',
  'he is',
  'she is',
  'they did',
  'he did',
  'she did',
  'definitely',
  'certainly',
  'affirmative',
  'yes please',
  'that is right',
  "that's right",
]);
const NO_WORDS = new Set([
  '不是',
  '否',
  '没有',
  '没',
  '不',
  '不要',
  '不用',
  '不对',
  '不需要',
  '还没',
  '没呢',
  '还没有',
  '并没有',
  '并不是',
  '木有',
  '米有',
  '没得',
  '无',
  '不能',
  '不可以',
  '不会',
  '不行',
  '不知情',
  '联系不上',
  '找不到',
  '没办法',
  '没法',
  '不可能',
  '没有的',
  // Cantonese: 唔係 = 不是, 冇 = 没有, 唔使 = 不用.
  '唔係',
  '唔系',
  '唔是',
  '冇',
  '冇啊',
  '冇呀',
  '唔使',
  '唔會',
  '唔会',
  'no',
  'n',
  'nope',
  'nah',
  'not',
  'never',
  'not really',
  'no way',
  'i can not',
  'i cannot',
  "i can't",
  'i cant',
  "i don't think so",
  'i dont think so',
  "i don't",
  'i dont',
  "i didn't",
  'i didnt',
  'not at all',
  'negative',
  "they didn't",
  "he didn't",
  "she didn't",
  'they did not',
  'he did not',
  'she did not',
  "can't",
  'cannot',
]);
// Anywhere in a clause: the user does not know. Checked before everything else. The
// Cantonese forms (唔知, 唔清楚, 唔記得, 唔肯定) are here because 唔 is a negation (唔係 = 不是):
// without them a blind set's 「唔知」 and 「唔清楚」 were read as "no" at safety screens, as
// were "no clue" and "not a clue" (English "no" leading) and 「不确订」 (不确 + a typo of 定).
const UNSURE_PATTERN =
  /唔知|唔(?:太)?(?:清楚|记得|記得|肯定|确定|確定|敢讲|敢講)|冇印象|no clue|not a clue|不知道|不清楚|不确|说不好|不好说|说不准|不一定|不太清楚|不太确定|拿不准|不记得|记不清|忘了|也许|或许|可能吧|大概吧|不晓得|不懂|搞不清|看不出|not sure|unsure|don'?t know|do not know|dunno|idk|no idea|maybe|perhaps|not certain|can'?t tell|hard to say|can'?t remember|don'?t remember|probably|i guess/u;
const PARTICLES = /[的啊呀吧哦噢喔呢了滴嘛哈啦]+$/u;
// A question back is no answer: 「什么叫解冻」, "what do you mean by rebate", 「保健品能退吗」
// name a screen's own words, and a blind set's 15 such questions were read as "yes" at the
// safety screens (the classifier is not used there). Per clause, so 「他让我交保证金 这正常吗」
// still says yes by its first clause.
const QUESTION_BACK =
  /什么叫|什么是|是什么$|什么意思|啥意思|啥叫|指什么|怎么(?:办|劝|弄|做|查|退|回事|说)|为什么|吗$|(?<![什怎这那多])么$|^(?:what|whats|what's|how|why|who|where|can you|could you|would you|will you|do you|does|should i|is it|is that|is this|are you)\b/u;
// "联系不上", "打不通", "加不上": the potential form answers by itself.
const CANNOT_FORM = /^[\p{Script=Han}]{1,4}不(?:上|到|通|着|了)$/u;
const CAN_FORM = /^[\p{Script=Han}]{1,4}得(?:上|到|通|着)$/u;
// A leading negation that governs the clause ("不是被骗", "没有转").
// An adverb may come first (「倒也没有」「现在没人找我们要了」「暂时冇」): measured on the dev
// half, such plain denials at the screens were asked again (the classifier: no, 0.87–0.95).
const LEADING_NO =
  /^(?:(?:倒也|也|倒|其实|真的|确实|现在|暂时|目前|而家|都)(?=不|没|冇|唔))?(?:不是|没有|并没有|并不|没|不|唔係|唔系|唔|冇|not|no)(?![错用])/u;
// Within this many characters before a phrase, a negation word negates it ("没骗", "没有被骗").
const NEGATION_ZH = /(?:不是|没有|并没|没|不|未|别|无|非|冇|唔)[\p{Script=Han}]{0,2}$/u;
// Words that start like a negation but are not one ("没错" = right, "没想到" = unexpectedly).
const NOT_NEGATION = /^(?:没错|不错|没事|没想到|不料|不想|不小心)/u;
// "不止一笔" (more than one) negates what follows but is no "no" of its own.
const NOT_A_NO = /^(?:不止|不只|不仅|不少)/u;
// 「不交就上门执行」「不付的话冻结」「不然…」: a condition (a threat, at a safety screen) is no
// "no". Measured on the nlu-eval dev half: 「他说今天下班前再交五千，不交就上门执行」 was read
// "no" at urgent-check, a screen's false "no"; the classifier did not read it yes either (0.34).
const CONDITION = /^(?:不然|要不然|要不|否则|不管)|^(?:不|没|冇|唔)[^\s]{0,6}?(?:就|才|便|的话)/u;
// 「不是没有」「唔係冇」: a negation of a negation ("it's not that there is none") — or, typed
// fast, "no, none": no "no" of its own either way. Measured on the dev half: 「不是没有 他刚还在
// 打」 (pressed) was read "no" at urgent-check; the classifier read no, 0.93. 「不是不是」
// 「唔係唔係」 repeat the no: no double negation.
const DOUBLE_NO = /^(?:不是|并不是|并非|也不是|唔係|唔系)(?:没|冇|不(?!是)|唔(?![係系]))/u;
// A leading yes that may be followed by the story ("yes he did", "嗯他一直在催").
const LEADING_YES =
  /^(?:yes|yeah|yep|yup|yea|ya|sure|correct|right|i think so|嗯+|恩+|没错|是的|对的|确实)(?:\b|(?=\p{Script=Han}))/u;
// 「是 有个自称微信客服的打过来」, 「有呀 佢叫我再扫个码」: a one-word yes, then a phone's space
// and the story. Without the space 有 starts a sentence (「有个人…」) and says nothing alone.
// A blind set's screens had 8 such answers only shown back by the classifier.
const YES_THEN_STORY = /^(?:是|有|对|係|系)[啊呀的哦嘅]?\s/u;
const NEGATION_EN =
  /\b(?:not|never|no|didn'?t|don'?t|doesn'?t|isn'?t|wasn'?t|weren'?t|aren'?t|haven'?t|hasn'?t|can'?t|cannot|won'?t|wouldn'?t|couldn'?t|shouldn'?t|nobody'?s?|no ?one'?s?|nothing|none|neither|nor|without)\b(?:\s+\S+){0,2}\s*$/u;
const CONTRAST = /但是|但|可是|不过|然而|\bbut\b|\bhowever\b|\bthough\b/u;
// 「以前能联系 现在不行了」: after a past, "now" is a contrast too, and the present decides.
export const PAST = /以前|之前|原来|原先|本来|一开始|起初|\bused to\b|\bat first\b|\bbefore\b/u;
export const NOW_AFTER_PAST = /现在|如今|目前|\bnow\b/u;
const CLAUSE_BREAK = /[,，。.!！?？;；、:：\n]+|\s+-\s+/u;

type Signal = YesNo | undefined;

// A "no" that goes on ("没有人催，只是对方说可以退款") is not a plain no at a safety question.
const GOES_ON =
  /但是|但|可是|不过|然而|只是|只不过|就是说|除了|\bbut\b|\bhowever\b|\bthough\b|\bjust\b|\bonly\b|\bexcept\b|\bapart from\b|\bunless\b/u;

// 「他说明天退回来，没有别人联系」「他说结案就退，也没别人联系」: what someone said is often
// the screen's "yes" by implication, beside a "no" about something else. Measured on the dev
// half: both were read "no" at screen-offer (false "no"s; the classifier read them no too).
// Only a clause the rules read nothing in, where what was said is not itself a denial
// (「他说主播没答应他什么」 stays a "no"), and not 「跟她说」 (told her).
const REPORTED =
  /(?<![跟对和给同])(?:他|她|对方|佢|人家|那边|那人|客服)(?:说|讲|话|跟我说|同我讲)|\b(?:he|she|they|someone)\s+(?:said|says|told me|promised)\b/u;
const DENIED = /没|不|冇|唔|未|无|\b(?:not|never|nobody|nothing|no)\b|n'?t\b/u;

function reportsSaying(s: string, hints?: YesNoHints): boolean {
  return s.split(CLAUSE_BREAK).some((clause) => {
    const said = REPORTED.exec(clause);
    if (!said || clauseSignal(clause.trim(), hints) !== undefined) return false;
    return !DENIED.test(clause.slice(said.index + said[0].length));
  });
}

/**
 * For a safety question, where "yes" is the alarming answer: yes and unsure are taken as
 * they come, but "no" only when it is plainly no — a no followed by "but", "只是", "except"…
 * is undefined (asked again), because what follows is what the question is about.
 */
export function parseYesNoStrict(text: string, hints?: YesNoHints): YesNo | undefined {
  const value = parseYesNo(text, hints);
  if (value === true) return value;
  const s = normalize(text);
  const said = s
    .split(CONTRAST)
    .flatMap((part) => part.split(CLAUSE_BREAK))
    .map((c) => clauseSignal(c.trim(), hints));
  // "没有，那个人也不知道这事": a no with an unsure word in it is not "not sure"; asked again.
  if (value === UNSURE) return said.includes(false) ? undefined : UNSURE;
  if (value === false) return GOES_ON.test(s) || reportsSaying(s, hints) ? undefined : false;
  return undefined;
}

/**
 * Yes, no or unsure from a whole answer, never from its first character: "没错，他骗了我"
 * is yes, "对方没骗我" is no. The answer is split into clauses; each clause gives a signal
 * (a yes/no word, an echoed verb, or a step's hint phrase under its negation scope). After
 * "但/but" the later clause decides; otherwise the signals must agree, else nothing is
 * guessed. Unsure mixed with yes or no stays unsure.
 */
export function parseYesNo(text: string, hints?: YesNoHints): YesNo | undefined {
  const s = normalize(text);
  if (s === '') return undefined;
  const whole = clauseSignal(s, hints);
  const contrasted = CONTRAST.test(s) || (PAST.test(s) && NOW_AFTER_PAST.test(s));
  if (whole !== undefined && !CLAUSE_BREAK.test(s) && !contrasted) return whole;
  const parts = s
    .split(CONTRAST)
    .flatMap((part, i, all) =>
      PAST.test(all.slice(0, i + 1).join(' ')) ? part.split(NOW_AFTER_PAST) : [part],
    );
  // With a contrast, the last part that says anything decides ("有他微信但他拉黑我了").
  const decided = parts.map((part) =>
    combine(part.split(CLAUSE_BREAK).map((c) => clauseSignal(c.trim(), hints))),
  );
  if (parts.length > 1) {
    const last = decided.filter((d) => d !== undefined && d !== CONFLICT).at(-1);
    return last === undefined ? undefined : (last as YesNo);
  }
  const only = decided[0];
  return only === CONFLICT ? undefined : (only as YesNo | undefined);
}

const CONFLICT = Symbol('conflict');

function combine(signals: Signal[]): Signal | typeof CONFLICT {
  const said = signals.filter((x): x is YesNo => x !== undefined);
  if (said.length === 0) return undefined;
  if (said.includes(UNSURE)) return UNSURE;
  const first = said[0];
  return said.every((x) => x === first) ? first : CONFLICT;
}

function clauseSignal(clause: string, hints?: YesNoHints): Signal {
  if (clause === '') return undefined;
  if (UNSURE_PATTERN.test(clause)) return UNSURE;
  if (QUESTION_BACK.test(clause) && !/什么都|什么也/u.test(clause)) {
    // 「他让我交保证金 这正常吗」: a phone's space ends the statement before the question.
    const cut = /\p{Script=Han}/u.test(clause) ? clause.lastIndexOf(' ') : -1;
    const question = clause.slice(cut + 1);
    if (cut > 0 && QUESTION_BACK.test(question)) return clauseSignal(clause.slice(0, cut), hints);
    return undefined;
  }
  const bare = clause.replace(PARTICLES, '') || clause;
  if (YES_WORDS.has(bare) || YES_WORDS.has(clause)) return true;
  if (NO_WORDS.has(bare) || NO_WORDS.has(clause)) return false;
  if (CANNOT_FORM.test(bare)) return false;
  if (CAN_FORM.test(bare)) return true;
  const hint = hints ? hintSignal(clause, hints) : undefined;
  // The step's phrases disagree (「骗倒是没骗」): the leading word alone does not decide.
  if (hint === CONFLICT) return undefined;
  const hinted = hint?.value;
  // A phrase that begins with the negation (「没确认」, 「不是本人」) holds the leading word.
  const lead = hint?.leading ? undefined : leadSignal(clause);
  // The leading word and the step's phrases must agree ("不是我自己要打赏的" is asked again).
  if (hinted !== undefined && lead !== undefined) return hinted === lead ? lead : undefined;
  return hinted ?? lead;
}

// The adverbs LEADING_NO allows first: a condition or a double negation after them is still
// one (「现在不交就冻结」, 「其实不是没有」; a fresh review found both read "no").
const NO_ADVERB = /^(?:倒也|也|倒|其实|真的|确实|现在|暂时|目前|而家|都)(?=不|没|冇|唔)/u;

function leadSignal(clause: string): boolean | undefined {
  const yes = LEADING_YES.exec(clause) ?? YES_THEN_STORY.exec(clause);
  // 「是 没有」「对 没有人联系我」「确实没有」: a yes word, then a denial — asked again, not yes.
  if (yes) return LEADING_NO.test(clause.slice(yes[0].length).trim()) ? undefined : true;
  const core = clause.replace(NO_ADVERB, '');
  if (CONDITION.test(core) || DOUBLE_NO.test(core)) return undefined;
  if (
    LEADING_NO.test(clause) &&
    !NOT_NEGATION.test(clause) &&
    !NOT_A_NO.test(clause) &&
    !/^no\w/u.test(clause)
  )
    return false;
  return undefined;
}

/**
 * The step's phrases found in the clause, each read with its negation; they must agree, else
 * CONFLICT. A phrase inside a longer one found there is not counted on its own: 「没打电话确认过」
 * holds l-impersonated's "yes" phrase 没打电话确认 and, inside it, the "no" phrase 确认过;
 * read as two phrases that disagree, the leading 没 alone made it "no" — measured on the
 * nlu-eval dev half, a safety screen's false "no" (the classifier read it yes, 0.86).
 */
function hintSignal(
  clause: string,
  hints: YesNoHints,
): { value: boolean; leading: boolean } | typeof CONFLICT | undefined {
  const found: Array<{ at: number; end: number; value: boolean }> = [];
  for (const [phrases, meaning] of [
    [hints.yes, true],
    [hints.no, false],
  ] as const) {
    // Every place the phrase is said: 「骗倒是没骗」 names 骗 and then denies it, so the two
    // readings disagree and the answer is asked again rather than read as the first one.
    for (const phrase of phrases)
      for (let at = clause.indexOf(phrase); at >= 0; at = clause.indexOf(phrase, at + 1))
        found.push({
          at,
          end: at + phrase.length,
          value: negated(clause.slice(0, at)) ? !meaning : meaning,
        });
  }
  const counted = found.filter(
    (f) =>
      !found.some((g) => g !== f && g.end - g.at > f.end - f.at && g.at < f.end && f.at < g.end),
  );
  const first = counted[0];
  if (!first) return undefined;
  if (!counted.every((f) => f.value === first.value)) return CONFLICT;
  return {
    value: first.value,
    leading: counted.some((f) => f.at === 0 && LEADING_NO.test(clause)),
  };
}

// 「没有人来说帮我退」「暂时没人再找她要钱了」: "nobody" as the subject negates what the clause
// says they did, however far (in one run of words: no space, no other person named between).
// Measured on the dev half: such denials at screen-offer and urgent-check were asked again,
// the step's phrase (帮我退, 要钱) too far from the 没 for the two-character window.
const NOBODY_DID = /(?:没有人|没人|冇人|无人|没得人|没有谁)[^\s他她它佢对方]{0,6}$/u;

/** Whether the words just before a phrase negate it ("没骗", "不是被骗", "didn't scam"). */
export function negated(before: string): boolean {
  if (NOBODY_DID.test(before)) return true;
  const zh = NEGATION_ZH.exec(before);
  // "没错" and "不错" mean "right", not a negation; 「不付就冻结」 is a condition.
  if (zh && !NOT_NEGATION.test(zh[0]) && !/就|才|便/u.test(zh[0])) return true;
  return NEGATION_EN.test(before);
}
