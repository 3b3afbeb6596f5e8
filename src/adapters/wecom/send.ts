import type { Lang } from '../../shared/types.js';
import type { Turned } from '../../core/conversation.js';
import type { SharedValues } from '../../core/ports.js';
import type { Translators } from '../../i18n/index.js';
import { detectLanguage } from '../../core/language.js';
import type { Logger } from '../../log.js';
import { createOutbox } from '../oa/outbox.js';
import { OA_MAX_BYTES } from '../oa/pack.js';
import { SEND_LIMIT, SESSION_NOT_BOTS, WecomError, type KfOutgoing, type WecomApi } from './api.js';
import { compose, text, textOnly } from './compose.js';
import type { KfHandoffHooks, KfTarget } from './handoff.js';
import { createMenuMemory } from './menu.js';
import { createQuota } from './quota.js';

export interface KfSenderDeps {
  api: WecomApi;
  shared: SharedValues;
  translators: Translators;
  log: Logger;
  /** Options as tappable menus. */
  menu: boolean;
  hooks?: KfHandoffHooks;
}

export interface KfSender {
  /** A customer message sent at `sentAt` (ms), pulled by `seenBy`: the allowance is renewed. */
  received(user: string, sentAt: number, seenBy?: number): Promise<void>;
  /** The answer to a customer message: as many messages as allowed now, the rest on 继续. */
  deliver(turned: Turned | string, target: KfTarget): Promise<void>;
  /** 继续 / more: the next waiting pages, as many as allowed; false when none wait. */
  more(target: KfTarget): Promise<boolean>;
  /** The greeting, as the one message an enter_session's welcome_code allows. */
  greet(turned: Turned, code: string, target: KfTarget): Promise<void>;
}

/**
 * Sends through kf/send_msg within WeCom's limits: ≤ 2,048 bytes a text, ≤ 5 messages per
 * customer message within 48 hours (counted, so WeCom is never asked for more), the rest kept
 * for 继续 / more. A refusal ends that answer: 95018 (a person holds the session) is told to
 * the handoff hooks and never retried; nothing of the message text is logged.
 */
export function createKfSender(deps: KfSenderDeps): KfSender {
  const { api, log } = deps;
  const outbox = createOutbox(deps.shared);
  const quota = createQuota(deps.shared);
  const menus = createMenuMemory(deps.shared);

  // The pages kept for "继续" remember the language they were written in (red-team M11).
  const langOf = (turned: Turned | string): Lang =>
    typeof turned === 'string' ? detectLanguage(turned) : turned.lang;
  const hintIn = (lang: Lang) => `\n\n${deps.translators(lang)('common:oa.more')}`;

  /** `messages` to send now and the text pages for later, with the hint on the last one sent. */
  async function plan(
    turned: Turned | string,
    user: string,
    allowance: number,
  ): Promise<KfOutgoing[]> {
    const lang = langOf(turned);
    const hint = hintIn(lang);
    const room = OA_MAX_BYTES - Buffer.byteLength(hint);
    let messages =
      typeof turned === 'string' ? [text(turned)] : compose(turned.replies, room, deps.menu);
    // A menu cannot wait for 继续 (the outbox keeps text): over the allowance, all is text.
    if (messages.length > allowance && typeof turned !== 'string')
      messages = textOnly(turned.replies, room);
    const now = messages.slice(0, allowance);
    const later = messages.slice(now.length).map((m) => (m.type === 'text' ? m.content : m.head));
    const pending = later.length > 0 || (await outbox.left(user)) > 0;
    if (later.length > 0) await outbox.put(user, later, lang);
    const last = now.at(-1);
    if (pending && last?.type === 'text') now[now.length - 1] = text(`${last.content}${hint}`);
    return now;
  }

  /** One message; false when WeCom refused it (and why is logged and, for 95018, told). */
  async function sendOne(message: KfOutgoing, target: KfTarget, code?: string): Promise<boolean> {
    try {
      if (code) await api.sendOnEvent(code, message);
      else await api.send(target.externalUserId, target.openKfId, message);
      if (message.type === 'menu') await menus.remember(target.user, message);
      return true;
    } catch (error) {
      const errcode = error instanceof WecomError ? error.errcode : undefined;
      if (errcode === SESSION_NOT_BOTS) {
        log.info({ errcode }, '微信客服: a person holds this session; the bot stays quiet');
        await deps.hooks?.personHolds?.(target);
      } else if (errcode === SEND_LIMIT)
        log.warn({ errcode }, '微信客服: WeCom refused more messages for this customer message');
      else log.error({ err: (error as Error).message }, '微信客服 message given up');
      return false;
    }
  }

  return {
    received: (user, sentAt, seenBy) => quota.renew(user, sentAt, seenBy),
    async deliver(turned, target) {
      if (typeof turned !== 'string' && turned.replies.length === 0) return;
      const allowance = await quota.left(target.user);
      if (allowance === 0) {
        log.warn('微信客服: no message allowed for this customer now (5 sent, or 48 hours over)');
        return;
      }
      for (const message of await plan(turned, target.user, allowance)) {
        if (!(await quota.take(target.user))) break;
        if (!(await sendOne(message, target))) break;
      }
    },
    async more(target) {
      const pages: string[] = [];
      let lang: Lang | undefined;
      const allowance = await quota.left(target.user);
      for (let kept = await outbox.next(target.user); kept !== undefined;) {
        pages.push(kept.page);
        lang = kept.lang;
        if (pages.length >= allowance) break;
        kept = await outbox.next(target.user);
      }
      if (pages.length === 0) return false;
      const last = pages.length - 1;
      if ((await outbox.left(target.user)) > 0)
        pages[last] = `${pages[last]}${hintIn(lang ?? langOf(pages[last] ?? ''))}`;
      for (const page of pages) {
        if (!(await quota.take(target.user))) break;
        if (!(await sendOne(text(page), target))) break;
      }
      return true;
    },
    async greet(turned, code, target) {
      const [first] = await plan(turned, target.user, 1);
      if (first) await sendOne(first, target, code);
    },
  };
}
