import type { ConversationService, Turned } from '../../core/conversation.js';
import type { Deduplicator, SharedValues } from '../../core/ports.js';
import type { Logger } from '../../log.js';
import { createOutbox, MORE_WORDS } from '../oa/outbox.js';
import type { KfItem } from './api.js';
import type { KfHandoffHooks, KfTarget } from './handoff.js';
import { createMenuMemory } from './menu.js';
import type { KfSender } from './send.js';

export interface KfReceiverDeps {
  service: ConversationService;
  dedup: Deduplicator;
  shared: SharedValues;
  sender: KfSender;
  corpId: string;
  log: Logger;
  logContent?: boolean;
  hooks?: KfHandoffHooks;
  /** After a turn's replies went out: the handoff events it produced (native-handoff.ts). */
  afterTurn?: (target: KfTarget, turned: Turned) => Promise<void>;
}

/** `origin` of a sync_msg item (silenceper/wechat work/kf/syncmsg/message.go). */
const FROM_CUSTOMER = 3;
const FROM_SERVICER = 5;

/**
 * What zhuihui does with the items one sync_msg page brings: each item once (by msgid, in the
 * shared dedup, so a page pulled twice runs once); a customer's text to the conversation (a
 * menu tap read as its option), other messages a request for words, enter_session the
 * greeting. One user's items in order; different users at the same time.
 */
export function createKfReceiver(
  deps: KfReceiverDeps,
): (items: readonly KfItem[]) => Promise<void> {
  const { service, sender, log } = deps;
  const outbox = createOutbox(deps.shared);
  const menus = createMenuMemory(deps.shared);

  return async (items) => {
    // Every item of this page was sent before now: what zhuihui sends from here on is after it.
    const seenBy = Date.now();
    const byUser = new Map<string, KfItem[]>();
    for (const item of items) {
      const external = item.external_userid ?? item.event?.external_userid ?? '';
      byUser.set(external, [...(byUser.get(external) ?? []), item]);
    }
    await Promise.all(
      [...byUser.values()].map(async (mine) => {
        for (const item of mine)
          await one(item, seenBy).catch((error: unknown) =>
            log.error({ err: error, msgtype: item.msgtype }, '微信客服 item failed'),
          );
      }),
    );
  };

  async function one(item: KfItem, seenBy: number): Promise<void> {
    const externalUserId = item.external_userid ?? item.event?.external_userid;
    const openKfId = item.open_kfid ?? item.event?.open_kfid;
    if (!externalUserId || !openKfId) return;
    if (!(await deps.dedup.first(`wecom:${item.msgid}`))) return;
    const target: KfTarget = {
      user: `kf:${deps.corpId}:${externalUserId}`,
      externalUserId,
      openKfId,
    };
    log.info(
      {
        msgtype: item.msgtype,
        origin: item.origin,
        event: item.event?.event_type,
        ...(deps.logContent ? { text: item.text?.content } : {}),
      },
      '微信客服 message',
    );
    if (item.msgtype === 'event') return event(item, target);
    if (item.origin === FROM_SERVICER) return void (await deps.hooks?.servicerSpoke?.(target));
    if (item.origin !== undefined && item.origin !== FROM_CUSTOMER) return;
    await sender.received(target.user, (item.send_time ?? seenBy / 1000) * 1000, seenBy);
    if (item.msgtype !== 'text')
      return sender.deliver(await service.handleMedia(target.user), target);
    const typed = item.text?.content ?? '';
    const menuId = item.text?.menu_id;
    const said = menuId ? await menus.read(target.user, menuId, typed) : typed;
    if (MORE_WORDS.has(said.trim().toLowerCase()) && (await sender.more(target))) return;
    await outbox.clear(target.user);
    const turned = await service.handle({ userId: target.user, text: said, channel: 'wecom' });
    await sender.deliver(turned, target);
    await deps.afterTurn?.(target, turned);
  }

  async function event(item: KfItem, target: KfTarget): Promise<void> {
    const { event_type: type, welcome_code: code, change_type: change } = item.event ?? {};
    if (type === 'enter_session') {
      // WeCom gives a welcome_code only when zhuihui may greet (no greeting configured in
      // the console, none in the last 48 hours); without it, the first message gets one.
      if (!code) return;
      await outbox.clear(target.user);
      const turned =
        (await service.resume(target.user)) ??
        (await service.handle({ userId: target.user, text: '你好', channel: 'wecom' }));
      return sender.greet(turned, code, target);
    }
    if (type === 'session_status_change' && change !== undefined)
      return void (await deps.hooks?.sessionChanged?.(target, change));
    if (type === 'msg_send_fail')
      log.warn({ failType: item.event?.fail_type }, '微信客服: WeCom could not deliver a message');
  }
}
