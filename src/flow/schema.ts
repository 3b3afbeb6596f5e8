import { z } from 'zod';
import { LANGS } from '../shared/types.js';
import { conditionSchema } from './conditions.js';

/**
 * The flow file's schema. The TypeScript types and `flows/flow.schema.json` (for editors)
 * are both derived from it, so the three can never disagree.
 */
export const ID_PATTERN = /^[a-z][a-z0-9-]*$/;
const id = z
  .string()
  .regex(
    ID_PATTERN,
    'use lowercase letters, digits and dashes, starting with a letter (e.g. "ask-amount")',
  );
const factName = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'use letters and digits, starting with a letter (e.g. "paidOn")')
  // Facts are read as `facts[name]`: "constructor" or "toString" would be found on every
  // session as a built-in function, and the question skipped (red-team m27).
  .refine((name) => !(name in Object.prototype), {
    message: 'this name belongs to JavaScript objects (constructor, toString, …): choose another',
  });

const target = id.describe('the id of the step to go to');

/**
 * The words of one text in every language, written beside what they belong to (a step, an
 * option, …), as Rasa and Docassemble keep translations next to the source. Each language is
 * optional here so that a text in one language only is reported by the loader with its line,
 * not as a schema error.
 */
export const textSchema = z
  .object(
    Object.fromEntries(LANGS.map((lang) => [lang, z.string().optional()])) as Record<
      (typeof LANGS)[number],
      z.ZodOptional<z.ZodString>
    >,
  )
  .strict()
  .describe('the words, in each language (long texts as a YAML block: `zh-CN: |`)');
const text = textSchema.optional();

const branch = z
  .object({
    when: conditionSchema
      .optional()
      .describe('go here only if this condition holds; leave it out on the last entry'),
    to: target,
  })
  .strict();

/** Either one step id, or a list of branches tried in order; the last has no `when`. */
export const nextSchema = z.union([target, z.array(branch).min(1)]).describe('where to go next');

const synonyms = z
  .object(
    Object.fromEntries(
      LANGS.map((lang) => [lang, z.array(z.string().min(1)).optional()]),
    ) as Record<(typeof LANGS)[number], z.ZodOptional<z.ZodArray<z.ZodString>>>,
  )
  .strict()
  .describe('other words a user may type for this option, per language (the label always counts)');

/**
 * Whole messages that mean something, per language, for the classifier (src/core/classify/)
 * to learn from, as Rasa's nlu.yml: written as people type them on a phone, not as keywords.
 */
const examples = z
  .object(
    Object.fromEntries(
      LANGS.map((lang) => [lang, z.array(z.string().min(1)).optional()]),
    ) as Record<(typeof LANGS)[number], z.ZodOptional<z.ZodArray<z.ZodString>>>,
  )
  .strict();

const option = z
  .object({
    id,
    text: text.describe("the option's label"),
    synonyms: synonyms.optional(),
    examples: examples
      .optional()
      .describe(
        'whole messages that choose this option, per language, as people type them (the classifier learns from them)',
      ),
    ages: z
      .tuple([z.number().int().min(0), z.number().int().max(150)])
      .optional()
      .describe(
        'an age answer ("12岁", "十五", "she is 6") in this range [from, to] picks this option',
      ),
    next: nextSchema.optional().describe("where this option leads; defaults to the step's next"),
    story: z
      .boolean()
      .optional()
      .describe(
        'false: this option is never taken from a story, only chosen (its words do not say enough, e.g. which way a transfer went)',
      ),
  })
  .strict();

const messageStep = z
  .object({
    type: z.literal('message').describe('say the prompt and go straight on'),
    text: text.describe('what the step says'),
    silent: z
      .boolean()
      .optional()
      .describe(
        'true: says nothing (no words needed); only routes by `next`, so a branch list is written once',
      ),
    once: z
      .boolean()
      .optional()
      .describe(
        'true: shown only the first time the conversation passes it (a warning several routes lead to)',
      ),
    next: nextSchema,
  })
  .strict();

const choiceStep = z
  .object({
    type: z.literal('choice').describe('numbered options'),
    text: text.describe('the question'),
    fact: factName.optional().describe("save the chosen option's id under this name"),
    reask: z
      .boolean()
      .optional()
      .describe(
        'ask even when the fact is already known (a question that corrects an earlier answer)',
      ),
    story: z
      .boolean()
      .optional()
      .describe(
        'false: never take this answer from a story told earlier (options that mean something only on this branch)',
      ),
    options: z.array(option).min(2),
    examples: z
      .object({
        none: examples.describe('messages that choose none of the options (negatives)'),
      })
      .strict()
      .optional()
      .describe("the classifier's examples that belong to no option"),
    next: nextSchema.optional(),
  })
  .strict();

export const INPUT_KINDS = ['money', 'date', 'yesno', 'text'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

const phraseList = z
  .object(
    Object.fromEntries(
      LANGS.map((lang) => [lang, z.array(z.string().min(1)).optional()]),
    ) as Record<(typeof LANGS)[number], z.ZodOptional<z.ZodArray<z.ZodString>>>,
  )
  .strict();

const yesNoAnswers = z
  .object({
    yes: phraseList
      .optional()
      .describe(
        'phrases that answer "yes" by implication (e.g. "他骗了我"); under a negation they mean "no"',
      ),
    no: phraseList
      .optional()
      .describe(
        'phrases that answer "no" by implication (e.g. "拉黑"); under a negation they mean "yes"',
      ),
  })
  .strict()
  .describe('yes/no steps only: what an answer may say without saying yes or no');

const inputStep = z
  .object({
    type: z.literal('input').describe('ask for one value and save it as a fact'),
    text: text.describe('the question'),
    input: z.enum(INPUT_KINDS),
    fact: factName,
    optional: z
      .boolean()
      .optional()
      .describe('the user may reply "skip" / "跳过"; the fact is then "not given"'),
    answers: yesNoAnswers.optional(),
    examples: z
      .object({
        yes: examples.optional().describe('whole messages that mean "yes" to this question'),
        no: examples.optional().describe('whole messages that mean "no" to this question'),
        unsure: examples.optional().describe('whole messages that mean "not sure"'),
        none: examples
          .optional()
          .describe('messages that answer none of these (a question back, something else)'),
      })
      .strict()
      .optional()
      .describe(
        'yes/no steps: whole messages per meaning, as people type them, for the classifier (meaning differs per question)',
      ),
    stories: z
      .object({
        yes: examples.optional().describe('parts of a story that state "yes" for this fact'),
        no: examples.optional().describe('parts of a story that state "no" for this fact'),
        none: examples
          .optional()
          .describe('parts of a story that look close but say nothing about it (negatives)'),
      })
      .strict()
      .optional()
      .describe(
        'yes/no steps: clauses of opening stories labelled with what they say about this fact (「他把我拉黑了」 says "no" to "can you reach them?"), for the story classifier; on a strict step a story only ever gives "yes"',
      ),
    strict: z
      .boolean()
      .optional()
      .describe(
        'yes/no steps whose "yes" is the alarming answer (a safety screen): "no" is taken only when it is plainly no; a no with a "but", or with a scam signal, is asked again',
      ),
    below: factName
      .optional()
      .describe(
        'money steps: the answer must be less than this fact (the amount meant is less than the amount paid); otherwise it is asked again',
      ),
    notBefore: factName
      .optional()
      .describe(
        'date steps: the answer may not be earlier than this fact (the last of several payments is not before the first); otherwise it is asked again',
      ),
    intended: z
      .boolean()
      .optional()
      .describe('money steps: the amount the user meant to pay ("本来想付5块"), not the one paid'),
    story: z
      .boolean()
      .optional()
      .describe(
        'false: never take this answer from a story or a correction (a second date, such as the last of several payments)',
      ),
    next: nextSchema,
  })
  .strict();

const endStep = z
  .object({
    type: z.literal('end').describe('the final plan; the conversation ends here'),
    text: text.describe('the plan'),
    handover: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'a flow id: lower-case letters, digits and -')
      .optional()
      .describe(
        'instead of ending, say the prompt and hand the conversation to this flow (by its id), keeping the facts',
      ),
    handoff: z
      .literal('offer')
      .optional()
      .describe(
        'offer: a case that needs judgement; after the plan, say that a volunteer can look at it (where an operator side is connected)',
      ),
  })
  .strict();

export const stepSchema = z.discriminatedUnion('type', [
  messageStep,
  choiceStep,
  inputStep,
  endStep,
]);

const phrases = z
  .object(
    Object.fromEntries(LANGS.map((lang) => [lang, z.array(z.string().min(2)).min(1)])) as Record<
      (typeof LANGS)[number],
      z.ZodArray<z.ZodString>
    >,
  )
  .strict();

const interrupt = z
  .object({
    id,
    text: text.describe('what is shown when it fires'),
    phrases: phrases.describe('words that fire this interrupt at any step, in either language'),
    fact: factName.optional().describe('set to true when the interrupt fires'),
    notAt: z
      .array(target)
      .optional()
      .describe('steps where it does not fire, e.g. the step that asks for a name'),
    notice: z
      .boolean()
      .optional()
      .describe(
        'true: information, not a stop: the text is shown once (while its fact is not yet true) and the message is read as usual',
      ),
    examples: z
      .object({
        signal: examples.describe(
          'whole messages that show this signal, in words the phrases miss',
        ),
        none: examples.describe('messages that do not (negatives: honest stories, denials)'),
      })
      .strict()
      .optional()
      .describe(
        "an interrupt with `confirm`: the classifier's examples, read at every step where no phrase fires; a reading only raises the confirmation question",
      ),
    confirm: z
      .object({
        after: z
          .array(factName)
          .min(1)
          .describe(
            'the screen: while any of these is unknown the text is a warning and the message is read as usual; once all are "no", a signal asks the confirmation question (words: interrupts.<id>.confirm, with {{noticed}})',
          ),
        fact: factName.describe(
          'set by the answer to the confirmation question (yes / no / unsure)',
        ),
        to: target.describe('where a "yes" or "unsure" goes (the alarm: 110 first)'),
        text: text.describe('the confirmation question, with {{noticed}}'),
      })
      .strict()
      .optional()
      .describe(
        'free text only adds to the screen: a signal never switches the plan by itself; it asks one question that names what was noticed',
      ),
  })
  .strict()
  .describe(
    'checked on every message before it is read as an answer; its text is shown, then the current question again',
  );

/** The commands (src/core/commands.ts) said in a sentence, for the classifier to learn. */
export const COMMAND_INTENTS = [
  'help',
  'back',
  'restart',
  'summary',
  'forget',
  'handoff',
  'endHandoff',
] as const;
const commandExamples = z
  .object({
    examples: z
      .object(
        Object.fromEntries(
          [...COMMAND_INTENTS, 'none'].map((intent) => [intent, examples.optional()]),
        ) as Record<(typeof COMMAND_INTENTS)[number] | 'none', z.ZodOptional<typeof examples>>,
      )
      .strict()
      .describe(
        'whole messages that ask for each command in a sentence, and `none`: messages that ask for none',
      ),
  })
  .strict()
  .describe(
    "commands by meaning: where a message is not an answer to the question, the classifier's reading of it as a command is taken only when it is sure, shown back below that",
  );

const phraseVariant = z
  .object({
    when: conditionSchema
      .optional()
      .describe('use this variant only if the condition holds (facts only, no date distances)'),
    use: id.describe("the variant: its words are phrases.<name>.<use> in the flow's locale files"),
    text: text.describe("the variant's words (once per `use`)"),
  })
  .strict();

const caseFileEntry = z
  .object({
    id,
    text: text.describe('the line, with the facts as {{name}}'),
    when: conditionSchema.optional().describe('include this line only if the condition holds'),
  })
  .strict();

const escalate = z
  .object({
    when: conditionSchema.describe(
      'the facts that make this plan the safe one (e.g. any scam signal)',
    ),
    to: target.describe(
      'where the safe plan starts; questions already answered on the way are skipped',
    ),
    end: target.describe("the safe plan's end step: steps that can only lead there are left alone"),
    intake: z
      .array(target)
      .describe(
        'steps that only gather the story: the flow goes on through them; any other step is redirected',
      ),
  })
  .strict()
  .describe(
    'safety first: once `when` holds, every step outside `intake` whose plans are not the safe plan is replaced by `to`',
  );

export const flowSchema = z
  .object({
    id: id.describe('the flow id; also the i18next namespace of its words'),
    version: z.number().int().min(1).optional(),
    start: target.describe('the first step'),
    interrupts: z.array(interrupt).optional(),
    commands: commandExamples.optional(),
    escalate: escalate.optional(),
    phrases: z
      .record(factName, z.array(phraseVariant).min(1))
      .optional()
      .describe(
        'words chosen by the facts, usable in any text as {{name}} (and {{nameZh}}, always Chinese)',
      ),
    caseFile: z
      .array(caseFileEntry)
      .optional()
      .describe('extra lines of the "summary" case file (words: caseFile.<id>)'),
    facts: z
      .record(factName, textSchema)
      .optional()
      .describe('what each fact is called in the summary and read-backs, by fact name'),
    stories: z
      .object({
        several: z
          .object({
            fact: factName,
            unless: z
              .object({ fact: factName, values: z.array(z.string()).min(1) })
              .strict()
              .optional()
              .describe(
                'not where this fact has one of these values (a duplicate: the amount is one payment)',
              ),
          })
          .strict()
          .optional()
          .describe(
            'the yes/no fact a count of payments says "yes" to ("连打赏了三次", "3 times"); with each amount said ("每次两百"), the amount paid is the total',
          ),
        wrongAmount: z
          .object({ fact: factName, value: z.string() })
          .strict()
          .optional()
          .describe(
            'the option chosen when a story says zeros too many ("多按了两个0") or an amount meant below the amount paid',
          ),
        childPaying: z
          .object({
            fact: factName,
            value: z.string(),
            payer: factName,
            facts: z.array(factName).optional(),
          })
          .strict()
          .optional()
          .describe(
            'the option that means a child paid, and the yes/no fact "the payer is a minor": a story naming a child only as the one paid to (「给女儿发红包」) does not choose it. `facts`: asked only about a child\'s payment, taken from a story only when it says a child paid ("my account would be frozen" is no child\'s account)',
          ),
        branches: z
          .array(
            z
              .object({
                fact: factName,
                values: z.array(z.string()).min(1),
                facts: z.array(factName),
              })
              .strict(),
          )
          .optional()
          .describe(
            'facts asked only on the branch of `fact` in `values`: taken from a story only when the story, or what is known, is in it',
          ),
        impersonation: z
          .object({ fact: factName, replaces: z.string(), with: z.string(), of: factName })
          .strict()
          .optional()
          .describe(
            'a strict fact whose "yes" in a story (「冒充我表哥的人找我借钱」) turns the option `replaces` of fact `of` into `with`',
          ),
      })
      .strict()
      .optional()
      .describe("what a story's numbers and people say, for facts no option's words name"),
    corrections: z
      .object({
        amount: examples.optional().describe('messages that correct the amount paid'),
        date: examples.optional().describe('messages that correct the payment date'),
        recipient: examples.optional().describe("messages that correct the recipient's name"),
        empty: examples
          .optional()
          .describe(
            "messages that say the recipient's name is empty or not shown (stored as not given)",
          ),
        none: examples
          .optional()
          .describe('messages that look close but correct nothing (an answer, a question)'),
      })
      .strict()
      .optional()
      .describe(
        'correction forms ("oh wait, it was 200 not 500", 「日期不对，是上个月15号付的」) by the fact they name, for the correction classifier; the typed readers take the value',
      ),
    words: z
      .record(z.string(), z.record(z.string(), textSchema))
      .optional()
      .describe(
        'other words the texts include with $t(<flow id>:<group>.<name>), e.g. the evidence checklist',
      ),
    steps: z.record(id, stepSchema).describe('the steps, by id'),
  })
  .strict();

/**
 * A flow folder (`flows/<flow id>/`): `flow.yaml` holds everything but (some) steps, every
 * other file holds steps only. The loader merges them into one `flowSchema` value.
 */
export const flowMainFileSchema = flowSchema.partial({ steps: true });
export const flowPartFileSchema = z
  .object({ steps: z.record(id, stepSchema).describe('the steps, by id') })
  .strict();

export type FlowDefinition = z.infer<typeof flowSchema>;
export type Step = z.infer<typeof stepSchema>;
export type ChoiceStep = z.infer<typeof choiceStep>;
export type InputStep = z.infer<typeof inputStep>;
export type Examples = z.infer<typeof examples>;
export type Next = z.infer<typeof nextSchema>;
export type Branch = z.infer<typeof branch>;
export type Interrupt = z.infer<typeof interrupt>;
export type Escalate = z.infer<typeof escalate>;

export type Text = z.infer<typeof textSchema>;

/** JSON Schema for editors (yaml-language-server), generated from the same schema. */
export function flowJsonSchema(kind: 'flow' | 'main' | 'part' = 'flow'): Record<string, unknown> {
  const schema =
    kind === 'part' ? flowPartFileSchema : kind === 'main' ? flowMainFileSchema : flowSchema;
  return z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
}
