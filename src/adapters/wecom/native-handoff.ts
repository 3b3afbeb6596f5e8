import type { ConversationService, Turned } from '../../core/conversation.js';
import type { OperatorAction } from '../../core/handoff.js';
import type { Logger } from '../../log.js';
import type { WecomApi } from './api.js';
import { handToPerson, KF_STATE, type KfHandoffHooks, type KfTarget } from './handoff.js';

/** How WeCom's own servicers appear as the case's operator. */
export const WECOM_OPERATOR = '微信客服';

/**
 * The channel-neutral handoff state (docs/architecture.md, "Handoff") on WeCom's native one:
 * a consented request moves the session to WeCom's queue or a named servicer
 * (service_state/trans), and what WeCom reports moves the state: a servicer's message, a
 * session taken from the queue or a send refused with 95018 mean a person has it; a session
 * WeCom ended returns to the bot. Operator actions here change the session only: while a
 * person holds it WeCom refuses the bot's sends, and sending on them would report 95018 again,
 * so the user hears the bot again at their next message.
 */
export function createNativeHandoff(deps: {
  api: WecomApi;
  service: Pick<ConversationService, 'operate'>;
  log: Logger;
  servicer?: string | undefined;
}): { hooks: KfHandoffHooks; afterTurn(target: KfTarget, turned: Turned): Promise<void> } {
  const { api, service, log } = deps;
  const act = async (target: KfTarget, action: OperatorAction, why: string) => {
    const done = await service.operate(target.user, action).catch((error: unknown) => {
      log.error({ err: error, why }, '微信客服 handoff: the session could not be updated');
      return undefined;
    });
    log.info({ why, action: action.type, open: typeof done === 'object' }, '微信客服 handoff');
  };
  const taken = (why: string) => (target: KfTarget) =>
    act(target, { type: 'take', operator: WECOM_OPERATOR }, why);
  return {
    hooks: {
      personHolds: taken('send refused: a person holds the session'),
      servicerSpoke: taken('a servicer wrote'),
      sessionChanged: (target, change) =>
        change === 3
          ? act(target, { type: 'done', operator: WECOM_OPERATOR }, 'session ended in WeCom')
          : taken(`session change ${change}`)(target),
    },
    async afterTurn(target, turned) {
      for (const event of turned.handoff ?? []) {
        if (event.type === 'requested') {
          // The consent and "a volunteer will reply here" went out first: after this, WeCom
          // lets only the person speak.
          await handToPerson(api, target, deps.servicer).then(
            () =>
              log.info(
                { ref: event.ref, servicer: Boolean(deps.servicer) },
                '微信客服 handed to a person',
              ),
            (error: unknown) =>
              log.error({ err: error, ref: event.ref }, '微信客服 handoff refused'),
          );
        }
        if (event.type === 'ended' && event.reason === 'user') {
          // "结束人工": WeCom's session is ended too, so the bot may answer the next message.
          await api
            .transferState(target.openKfId, target.externalUserId, KF_STATE.ended)
            .catch((error: unknown) =>
              log.warn({ err: error }, '微信客服 could not end the session'),
            );
        }
      }
    },
  };
}
