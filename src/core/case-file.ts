import { evaluate } from '../flow/conditions.js';
import type { Reply } from './replies.js';
import { formatFact, masked, renderFacts } from './render.js';
import type { Session } from './session.js';
import type { FlowKit } from './turn/kit.js';
import { say } from './turn/turn.js';
import type { FactValue } from '../shared/types.js';

/**
 * The case file ("summary"): the facts so far, the flow's extra lines (deadlines…) and, once
 * the conversation has ended, the whole plan again.
 */
export function caseFile(kit: FlowKit, session: Session, today: string): Reply[] {
  const { flow, translators } = kit;
  const t = translators(session.lang);
  // Rendered over tokens for what the user typed, put back at the end (see render.ts).
  const { facts, unmask } = masked(flow, session.facts);
  const lines = Object.entries(facts).map(([name, value]: [string, FactValue]) =>
    t('common:summary.line', {
      label: kit.label(name, t),
      value: formatFact(flow, name, value, t, session.lang),
    }),
  );
  if (lines.length === 0) return [say(t('common:summary.empty'))];
  const extra = (flow.definition.caseFile ?? [])
    .filter((entry) => !entry.when || evaluate(entry.when, session.facts, today))
    .map((entry) =>
      renderFacts(flow, `${kit.id}:caseFile.${entry.id}`, facts, translators, session.lang),
    );
  const head = [
    t('common:summary.title'),
    ...lines,
    ...(extra.length > 0 ? ['', ...extra] : []),
  ].join('\n');
  const ended = flow.step(session.stepId)?.type === 'end';
  const plan = ended ? [say(t('common:summary.plan')), ...planMessages(kit, session, today)] : [];
  return [say(unmask(head)), ...plan];
}

/** The messages shown since the last answer, up to and including the end step. */
export function planMessages(kit: FlowKit, session: Session, today: string): Reply[] {
  const from =
    session.enteredAt && kit.flow.step(session.enteredAt) ? session.enteredAt : session.stepId;
  const walked = kit.enter({ ...session, stepId: from }, today);
  return walked.session?.stepId === session.stepId
    ? walked.replies.slice(0, -1)
    : kit.show(session);
}
