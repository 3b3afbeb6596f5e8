import type { CompiledFlow } from '../flow/compile.js';
import type { Facts } from '../shared/types.js';
import type { ModelBank } from './classify/bank.js';
import { alarmValues, createSignalReader, isStory } from './classify/signal.js';
import { SIGNAL_GUARD } from './classify/thresholds.js';
import { normalize, phraseFinder } from './interpret/index.js';

/**
 * A story that shows a scam signal (a phrase, or the signal by meaning) says nothing safe
 * about which honest branch it is: 「以为是房东 其实是房东老婆的号被盗了」 names a wife,
 * "lent 2000 to someone i thought was my old roommate, turns out his wechat got hacked" a
 * loan, 「说是我儿子班主任 收资料费」 a son, and each of those branches would then ask about
 * the wrong person. So such a story gives no value of a fact the flow's `escalate` names
 * other than the values that escalate (`situation`, say, is left to its question; a
 * situation of `scam` or a deception check's "yes" is kept: it only leads to the safe plan).
 * The same holds while a signal noticed before is unconfirmed. A withheld fact costs one
 * question, never a plan.
 *
 * The signal is read at `SIGNAL_GUARD`, below the threshold that raises the warning: a fact
 * held back is cheaper than an alarm, so the doubt is resolved the cheap way.
 */
export type StorySignal = (text: string, found: Facts, known: Facts, except?: string) => Facts;

export function createStorySignal(flow: CompiledFlow, bank?: ModelBank): StorySignal {
  const { definition } = flow;
  const alarms = alarmValues(definition.escalate?.when);
  const signals = (definition.interrupts ?? []).flatMap((interrupt) => {
    const { confirm } = interrupt;
    if (!confirm) return [];
    const find = phraseFinder(
      Object.values(interrupt.phrases).flat().map(normalize).filter(Boolean),
      {
        negatable: true,
      },
    );
    return [{ interrupt, confirm, find, meaning: createSignalReader(interrupt, definition, bank) }];
  });
  const honest = (fact: string, value: unknown) => {
    const escalating = alarms.get(fact);
    return escalating !== undefined && !escalating.includes(value);
  };
  const shows = (text: string, known: Facts, except?: string) =>
    signals.some(({ interrupt, confirm, find, meaning }) => {
      if (known[confirm.fact] !== undefined) return false;
      if (except !== undefined && interrupt.notAt?.includes(except)) return false;
      if (interrupt.fact && known[interrupt.fact] === true) return true;
      if (find(text) !== undefined) return true;
      return !!meaning && isStory(text) && meaning.p(text) >= SIGNAL_GUARD;
    });
  return (text, found, known, except) => {
    // Read only when the story names an honest value: most messages name none.
    if (!Object.entries(found).some(([fact, value]) => honest(fact, value))) return found;
    if (!shows(text, known, except)) return found;
    return Object.fromEntries(
      Object.entries(found).filter(([fact, value]) => !honest(fact, value)),
    );
  };
}
