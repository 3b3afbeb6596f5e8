import type { ConversationService, Turned } from '../../core/conversation.js';

/**
 * The conversation service with a step after each turn (text or media): how a channel's
 * handoff side hears every turn's events without the core knowing about operators.
 */
export function observedService(
  service: ConversationService,
  after: (userId: string, turned: Turned) => Promise<Turned>,
): ConversationService {
  return {
    ...service,
    handle: async (inbound) => after(inbound.userId, await service.handle(inbound)),
    handleMedia: async (userId) => after(userId, await service.handleMedia(userId)),
  };
}
