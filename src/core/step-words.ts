import type { CompiledFlow } from '../flow/compile.js';
import type { ChoiceStep, InputStep } from '../flow/schema.js';
import { LANGS } from '../shared/types.js';
import {
  normalize,
  parseYesNo,
  UNSURE,
  type ChoiceOption,
  type YesNoHints,
} from './interpret/index.js';
import type { Translators } from './ports.js';
import { keys } from './render.js';

/**
 * The words each step is answered with, normalized once per step on first use (reading a
 * message compares it with hundreds of labels and synonyms; building them every time was
 * most of its cost).
 */
export interface StepWords {
  /** Labels in every language plus synonyms, per option. */
  choice(stepId: string, step: ChoiceStep): ChoiceOption[];
  /** The options a story may name: not "不确定" / "not sure", not those chosen only. */
  story(stepId: string, step: ChoiceStep): ChoiceOption[];
  /** A yes/no step's implication phrases ("他骗了我" means yes). */
  yesNo(stepId: string, step: InputStep): YesNoHints | undefined;
}

export function createStepWords(flow: CompiledFlow, translators: Translators): StepWords {
  const choices = new Map<string, ChoiceOption[]>();
  const stories = new Map<string, ChoiceOption[]>();
  const hints = new Map<string, YesNoHints>();
  const once = <T>(cache: Map<string, T>, key: string, build: () => T): T => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = build();
    cache.set(key, value);
    return value;
  };
  const choice = (stepId: string, step: ChoiceStep): ChoiceOption[] =>
    once(choices, stepId, () =>
      step.options.map((o) => ({
        id: o.id,
        ...(o.ages ? { ages: o.ages } : {}),
        words: [
          ...LANGS.map((lang) => translators(lang)(keys.option(flow.definition.id, stepId, o.id))),
          ...Object.values(o.synonyms ?? {}).flat(),
        ]
          .map(normalize)
          .filter(Boolean),
      })),
    );
  const phrases = (byLang: Partial<Record<string, string[]>> | undefined) =>
    Object.values(byLang ?? {})
      .flat()
      .map((w) => normalize(w ?? ''))
      .filter(Boolean);
  return {
    choice,
    story: (stepId, step) =>
      once(stories, stepId, () => {
        const chosenOnly = new Set(step.options.filter((o) => o.story === false).map((o) => o.id));
        return choice(stepId, step).filter(
          (o) => !chosenOnly.has(o.id) && !o.words.some((w) => parseYesNo(w) === UNSURE),
        );
      }),
    yesNo: (stepId, step) => {
      const answers = step.answers;
      if (step.input !== 'yesno' || !answers) return undefined;
      return once(hints, stepId, () => ({ yes: phrases(answers.yes), no: phrases(answers.no) }));
    },
  };
}
