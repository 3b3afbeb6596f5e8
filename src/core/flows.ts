import type { CompiledFlow } from '../flow/compile.js';
import { createEngine, type Engine, type Outcome } from './engine.js';
import type { Translator, Translators } from './ports.js';
import type { Session } from './session.js';
import { parseCommand } from './commands.js';
import { createUnderstanding } from './understand.js';
import { todayIn } from '../shared/calendar.js';

/**
 * Several flows behind one engine. Each session is handled by the engine of the flow it
 * records (so a session is only ever migrated within its own flow); a new one starts in the
 * start flow. An end step with `handover` says its words and hands the conversation to the
 * named flow, which starts at its first step with every fact known so far (questions already
 * answered are skipped, as always). A session whose flow is no longer loaded goes to the
 * start flow, which tells the user the guide was updated.
 */
export function createFlowEngine(
  flows: readonly CompiledFlow[],
  translators: Translators,
  startId: string,
): Engine {
  // A fact carried over by a hand-over is labelled with the words of the flow that asked it.
  const otherLabel = (name: string, t: Translator) => {
    const owner = flows.find((f) => f.factSteps.has(name));
    return owner ? t(`${owner.definition.id}:facts.${name}`) : undefined;
  };
  const engines = new Map(
    flows.map((f) => [f.definition.id, createEngine(f, translators, otherLabel)]),
  );
  const found = engines.get(startId);
  if (!found) throw new Error(`no flow with id "${startId}"`);
  const start = found;
  const of = (session: Session | undefined) => (session && engines.get(session.flowId)) ?? start;
  const understandings = new Map(
    flows.map((f) => [f.definition.id, createUnderstanding(f, translators)]),
  );

  /**
   * "不是500，是5000" about a fact another flow asked (carried over by a hand-over): this
   * flow's understanding knows only its own questions, and would read it as an answer. The
   * flow that asked the fact takes the message instead: it changes the fact and walks again
   * from its start, so the branches follow and the hand-over brings the user back here.
   */
  function ownerOfCorrection(session: Session, text: string, now: Date): Engine | undefined {
    const here = engines.get(session.flowId);
    if (!here || engines.size < 2) return undefined;
    const today = todayIn(now);
    const corrects = (id: string) =>
      Object.keys(understandings.get(id)?.correct(text, today, session.facts) ?? {});
    if (corrects(session.flowId).length > 0) return undefined;
    for (const [id, engine] of engines) {
      if (id === session.flowId) continue;
      const facts = corrects(id);
      if (facts.length > 0 && facts.every((f) => !here.flow.factSteps.has(f))) return engine;
    }
    return undefined;
  }

  /** Follows hand-overs (at most once per flow, so a cycle cannot loop). */
  function handOver(outcome: Outcome, now: Date): Outcome {
    let current = outcome;
    for (let hops = 0; hops < engines.size; hops++) {
      const session = current.session;
      if (!session) return current;
      const step = of(session).flow.step(session.stepId);
      if (step?.type !== 'end' || !step.handover) return current;
      const target = engines.get(step.handover);
      if (!target) return current;
      // "back" cannot reach into the previous flow: its steps are not this flow's.
      const { enteredAt: _left, ...rest } = session;
      void _left;
      const moved: Session = {
        ...rest,
        flowId: target.flow.definition.id,
        flowHash: target.flow.hash,
        stepId: target.flow.definition.start,
        history: [],
        failures: 0,
      };
      const next = target.enter(moved, now);
      current = { session: next.session, replies: [...current.replies, ...next.replies] };
    }
    return current;
  }

  /** "Start over" means the whole conversation: back to the start flow, wherever it is. */
  function routed(session: Session | undefined, text: string): Session | undefined {
    if (!session || session.flowId === startId || parseCommand(text)?.type !== 'restart')
      return session;
    return {
      ...session,
      flowId: startId,
      flowHash: start.flow.hash,
      stepId: start.flow.definition.start,
      history: [],
    };
  }

  return {
    handle: (session, inbound, now) => {
      let current = routed(session, inbound.text);
      const owner = current && ownerOfCorrection(current, inbound.text, now);
      if (current && owner)
        current = {
          ...current,
          flowId: owner.flow.definition.id,
          flowHash: owner.flow.hash,
          stepId: owner.flow.definition.start,
          history: [],
        };
      return handOver(of(current).handle(current, inbound, now), now);
    },
    resume: (session, now) => handOver(of(session).resume(session, now), now),
    media: (session) => of(session).media(session),
    slowDown: (lang) => start.slowDown(lang),
    sorry: (lang, reason) => start.sorry(lang, reason),
    startAt: (userId, lang, stepId, facts, now) => {
      const started = start.startAt(userId, lang, stepId, facts, now);
      return 'error' in started ? started : handOver(started, now);
    },
    enter: (session, now) => handOver(of(session).enter(session, now), now),
    flow: start.flow,
  };
}
