import type { Engine, Outcome } from '../core/engine.js';
import { parseYesNo, type Interpretation } from '../core/interpret/index.js';
import { followHandOvers } from '../core/turn/hand-over.js';
import { ExpectedError } from '../shared/errors.js';
import { todayIn } from '../shared/calendar.js';
import type { Facts, Lang } from '../shared/types.js';

/** A `--at`/`at:` request that names no step or fact of the flow, or a value it cannot take. */
export class StartAtError extends ExpectedError {
  override readonly name = 'StartAtError';
}

/**
 * For testing one branch (console `--at`, transcripts with `at:`): a fresh conversation at
 * `stepId` of the start flow, with facts given as text and read as the step that sets each
 * fact would read it. Problems are returned, not thrown.
 */
export function startAt(
  engine: Engine,
  userId: string,
  lang: Lang,
  stepId: string,
  rawFacts: Record<string, string>,
  now: Date,
): Outcome | { error: string } {
  const kit = engine.flows.start;
  const { flow } = kit;
  if (!flow.step(stepId))
    return {
      error: `unknown step "${stepId}"; steps: ${Object.keys(flow.definition.steps).join(', ')}`,
    };
  const today = todayIn(now);
  const facts: Facts = {};
  for (const [name, raw] of Object.entries(rawFacts)) {
    const setter = flow.factSteps.get(name);
    const step = setter ? flow.step(setter) : undefined;
    if (!setter || !step)
      return { error: `unknown fact "${name}"; facts: ${[...flow.factSteps.keys()].join(', ')}` };
    const read =
      step.type === 'input'
        ? kit.understanding.answer(setter, raw, today)
        : step.type === 'choice'
          ? readOption(step.options, raw)
          : readFlag(raw);
    if (!read.ok) return { error: `--fact ${name}=${raw}: not a valid value for step "${setter}"` };
    facts[name] = read.value;
  }
  const entered = kit.enter({ ...kit.start(userId, lang, now), stepId, facts }, today);
  return followHandOvers(engine.flows, entered, today);
}

/** Interrupt facts are yes/no flags. */
function readFlag(raw: string): Interpretation {
  const value = parseYesNo(raw);
  return value === undefined ? { ok: false, reason: 'yesno' } : { ok: true, value };
}

function readOption(options: readonly { id: string }[], raw: string): Interpretation {
  return options.some((o) => o.id === raw)
    ? { ok: true, value: raw }
    : { ok: false, reason: 'choice' };
}

/** startAt for a ConversationService's `replace`: a problem is an ExpectedError (exit 2). */
export function startAtOrThrow(
  engine: Engine,
  userId: string,
  lang: Lang,
  stepId: string,
  rawFacts: Record<string, string>,
): (now: Date) => Outcome {
  return (now) => {
    const started = startAt(engine, userId, lang, stepId, rawFacts, now);
    if ('error' in started) throw new StartAtError(started.error);
    return started;
  };
}
