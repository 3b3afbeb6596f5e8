import type { WecomApi } from './api.js';

/** Who a 微信客服 message is about: zhuihui's user key and WeCom's two ids. */
export interface KfTarget {
  /** `kf:<corpid>:<external_userid>`. */
  user: string;
  externalUserId: string;
  openKfId: string;
}

/**
 * Where the channel-neutral handoff state (bot / waiting / human) learns what WeCom knows.
 * All optional: without them the channel only logs. The bot never sends while WeCom says a
 * person has the session (send_msg refuses with 95018), whatever the state says.
 */
export interface KfHandoffHooks {
  /** send_msg refused with 95018: a person holds the session (or it waits in the queue). */
  personHolds?(target: KfTarget): void | Promise<void>;
  /** A servicer wrote to the customer from the WeCom app (`origin` 5). */
  servicerSpoke?(target: KfTarget): void | Promise<void>;
  /** session_status_change: 1 taken from the queue, 2 passed to another servicer, 3 ended. */
  sessionChanged?(target: KfTarget, changeType: number): void | Promise<void>;
}

/** Session states (WeCom document 94698): only 0 and 1 let the API send. */
export const KF_STATE = { new: 0, bot: 1, queued: 2, person: 3, ended: 4 } as const;

/**
 * The WeCom side of a handoff, for the handoff state to call: to a named servicer (state 3,
 * who must be on duty) or to the queue (state 2); the returned code may send WeCom's own
 * "transferring" words once, with send_msg_on_event.
 */
export async function handToPerson(
  api: WecomApi,
  target: KfTarget,
  servicerUserId?: string,
): Promise<{ msgCode: string | undefined }> {
  return api.transferState(
    target.openKfId,
    target.externalUserId,
    servicerUserId ? KF_STATE.person : KF_STATE.queued,
    servicerUserId,
  );
}

/**
 * Whether the bot may speak: the session is new or the bot's (0, 1), or ended (4, which the
 * customer's next message turns into 0); not while it is queued for or held by a person.
 */
export async function botHasIt(api: WecomApi, target: KfTarget): Promise<boolean> {
  const { state } = await api.serviceState(target.openKfId, target.externalUserId);
  return state === KF_STATE.new || state === KF_STATE.bot || state === KF_STATE.ended;
}
