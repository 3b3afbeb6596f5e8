import { parseYesNoStrict } from '../interpret/index.js';
import { MAX_FAILURES } from './kit.js';
import { pushHistory } from '../session.js';
import { say, type Handler, type Outcome, type Turn } from './turn.js';

/**
 * The answer to a signal's confirmation question ("你刚才提到「退款」…有没有人…？"). Yes or
 * unsure: the flow's alarm step (110 first), with the confirmation's fact set. A plain no: the
 * same question as before, and that phrase does not ask again. Unclear: asked again; after
 * MAX_FAILURES, taken as unsure and said so (when in doubt, the safer plan). Commands still
 * work while the question waits.
 */
export const confirmSignal: Handler = (turn, next) => {
  const session = turn.session;
  const confirming = session?.confirming;
  if (turn.command) return next(turn);
  if (!session || !confirming) return askOnceScreened(turn, next(turn));
  const { kit, t, today } = turn;
  const confirm = kit.flow.definition.interrupts?.find(
    (i) => i.id === confirming.interrupt,
  )?.confirm;
  const { confirming: _done, ...rest } = session;
  void _done;
  if (!confirm) return next({ ...turn, session: rest });
  let value = parseYesNoStrict(turn.inbound.text);
  const doubt = value === undefined && session.failures + 1 >= MAX_FAILURES;
  if (doubt) value = 'unsure';
  if (value === undefined) {
    const prompt = t(`${kit.id}:interrupts.${confirming.interrupt}.confirm`, {
      noticed: confirming.noticed,
    });
    return {
      session: { ...session, failures: session.failures + 1 },
      replies: [say(t('common:reprompt.yesnoStrict')), say(prompt)],
    };
  }
  const facts = { ...rest.facts, [confirm.fact]: value !== false };
  if (value === false) {
    const kept = {
      ...rest,
      facts,
      failures: 0,
      dismissed: [...(rest.dismissed ?? []), confirming.noticed],
    };
    return { session: kept, replies: [say(t('common:signalDismissed')), ...kit.show(kept)] };
  }
  const alarmed = { ...rest, facts, failures: 0 };
  const entered = kit.enter(
    { ...alarmed, stepId: confirm.to, history: pushHistory(alarmed) },
    today,
  );
  const told = doubt ? [say(t('common:signalInDoubt'))] : [];
  return { session: entered.session, replies: [...told, ...entered.replies] };
};

/**
 * A signal seen while the screen was open (turn/interrupt.ts keeps it in `noticed`): once the
 * screen's answers are all "no", the confirmation is asked before anything else is shown, so
 * a plain "no" to a screen question never skips past what the user said.
 */
function askOnceScreened(turn: Turn, outcome: Outcome): Outcome {
  const session = outcome.session;
  const noticed = session?.noticed;
  if (!session || !noticed || session.confirming) return outcome;
  const confirm = turn.kit.flow.definition.interrupts?.find(
    (i) => i.id === noticed.interrupt,
  )?.confirm;
  if (!confirm || !confirm.after.every((fact) => session.facts[fact] === false)) return outcome;
  const { noticed: _asked, ...rest } = session;
  void _asked;
  if (rest.facts[confirm.fact] !== undefined || rest.dismissed?.includes(noticed.noticed))
    return { ...outcome, session: rest };
  const prompt = turn.t(`${turn.kit.id}:interrupts.${noticed.interrupt}.confirm`, {
    noticed: noticed.noticed,
  });
  return { ...outcome, session: { ...rest, confirming: noticed }, replies: [say(prompt)] };
}
