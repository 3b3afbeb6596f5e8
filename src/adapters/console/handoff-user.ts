import type { ConversationService, Turned } from '../../core/conversation.js';
import type { HandoffBus } from '../../core/handoff-bus.js';
import type { Reply } from '../../core/replies.js';
import type { Logger } from '../../log.js';
import {
  applyEvents,
  deliveryQueue,
  eventNotice,
  forgetUser,
  publish,
  takeDeliveries,
} from '../handoff/desk.js';
import { createOpenCases } from '../handoff/open-cases.js';
import { observedService } from '../handoff/observed.js';

/**
 * A console user who can ask for a person (`npm start -- --handoff`): their turns' events
 * reach the operators through the shared queues, and what an operator says to them waits in
 * their own queue until this terminal shows it (at once while it runs, or at its next start).
 */
export function createConsoleHandoff(deps: {
  bus: HandoffBus;
  service: ConversationService;
  log: Logger;
  clock: () => Date;
}) {
  const { bus, service, log, clock } = deps;
  const cases = createOpenCases(bus);
  const observed = async (userId: string, turned: Turned): Promise<Turned> => {
    const events = turned.handoff ?? [];
    if (events.length === 0 && !turned.erased) return turned;
    try {
      const where = { channel: 'console' as const, userId, address: userId };
      if (turned.erased) await forgetUser(bus, where);
      for (const event of await applyEvents({ service, cases, clock, bus }, where, events))
        await publish(bus, eventNotice('console', userId, event));
    } catch (error) {
      log.error(
        { err: (error as Error).message },
        'console handoff: the operators could not be told',
      );
    }
    return turned;
  };
  return {
    service: observedService(service, observed),
    /** What operators said to this user since the last look. */
    incoming: async (userId: string): Promise<Reply[]> =>
      (await takeDeliveries(bus, deliveryQueue('console', userId))).flatMap((d) => d.replies),
  };
}
