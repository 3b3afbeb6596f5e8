import type { Engine } from '../core/engine.js';
import type { Session } from '../core/session.js';
import type { FactValue, Lang } from '../shared/types.js';
import type { CompiledFlow } from '../flow/compile.js';
import { keys } from '../core/render.js';
import { MAX_BUBBLE_CHARS, toBubbles } from '../core/replies.js';
import type { Translators } from '../i18n/index.js';
import type { FlowPath } from '../flow/paths.js';

/** What a user would type to give `value` at `stepId`, in `lang`. */
export function typedAnswer(
  flow: CompiledFlow,
  translators: Translators,
  lang: Lang,
  stepId: string,
  value: FactValue,
): string {
  const step = flow.step(stepId);
  if (step?.type === 'choice') {
    // Alternate between the option's number and its label, so both ways are exercised.
    const index = step.options.findIndex((o) => o.id === value);
    return index % 2 === 0
      ? String(index + 1)
      : translators(lang)(keys.option(flow.definition.id, stepId, String(value)));
  }
  if (typeof value === 'boolean')
    return lang === 'en' ? (value ? 'yes' : 'no') : value ? '是' : '不是';
  if (value === '') return lang === 'en' ? 'skip' : '跳过';
  if (value === 'unsure' && step?.type === 'input' && step.input === 'yesno')
    return lang === 'en' ? 'not sure' : '不确定';
  return String(value);
}

export interface ReplayProblem {
  path: string;
  lang: Lang;
  problem: string;
}

// Unrendered words: placeholders, nesting, a namespace prefix (the flow id is checked
// separately, whatever flow is replayed), or a raw key.
const LEFTOVER =
  /\{\{|\}\}|\$t\(|(?:^|\s)common:|steps\.[a-z-]+\.(?:prompt|options)|facts\.[a-zA-Z]+\b/;

/**
 * Plays one path through the real engine in one language and checks every reply: it must
 * render (no raw key, no `{{placeholder}}` left) and the path must end where it should.
 */
export function replayPath(
  engine: Engine,
  flow: CompiledFlow,
  translators: Translators,
  path: FlowPath,
  lang: Lang,
  now: Date,
): ReplayProblem[] {
  const name = path.steps.join(' → ');
  const problems: ReplayProblem[] = [];
  let session: Session | undefined;
  const say = (text: string) => {
    const outcome = engine.handle(session, { userId: 'replay', text, lang }, now);
    session = outcome.session ?? undefined;
    for (const structured of outcome.replies) {
      // A copyable text is one bubble whatever its length; the rest must fit the bubble size.
      const copy = structured.type === 'copy';
      for (const reply of copy ? [structured.text] : toBubbles([structured])) {
        if (reply.trim() === '')
          problems.push({ path: name, lang, problem: `empty reply after "${text}"` });
        if (!copy && reply.length > MAX_BUBBLE_CHARS) {
          problems.push({
            path: name,
            lang,
            problem: `a reply of ${reply.length} characters (over ${MAX_BUBBLE_CHARS}) after "${text}"`,
          });
        }
        if (LEFTOVER.test(reply) || reply.includes(flow.definition.id)) {
          problems.push({
            path: name,
            lang,
            problem: `unrendered text after "${text}": ${reply.slice(0, 120)}`,
          });
        }
      }
    }
  };
  say(lang === 'en' ? 'hello' : '你好');
  for (const answer of path.answers)
    say(typedAnswer(flow, translators, lang, answer.stepId, answer.value));
  if (session?.stepId !== path.end) {
    problems.push({
      path: name,
      lang,
      problem: `ended at "${session?.stepId}", expected "${path.end}"`,
    });
  }
  return problems;
}
