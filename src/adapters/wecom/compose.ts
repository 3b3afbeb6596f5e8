import type { Reply } from '../../core/replies.js';
import { packForOa } from '../oa/pack.js';
import type { KfOutgoing } from './api.js';
import { absorbed, menuOf } from './menu.js';

export const text = (content: string): KfOutgoing => ({ type: 'text', content });

/**
 * A turn's replies as 微信客服 messages of at most `room` bytes (the OA packing: copyable
 * texts alone). With `menu`, a closing question with options becomes a msgmenu, which also
 * takes in the text just before it when that fits, so a question costs no extra message.
 */
export function compose(replies: readonly Reply[], room: number, menu: boolean): KfOutgoing[] {
  const last = replies.at(-1);
  if (menu && last?.type === 'question' && last.options.length > 0) {
    const pages = packForOa(replies.slice(0, -1), room, true);
    // A copyable text is never joined with anything, a menu head included.
    const before = replies.at(-2)?.type === 'copy' ? undefined : pages.at(-1);
    const asMenu = menuOf(last, before);
    if (asMenu) {
      const kept = before !== undefined && absorbed(asMenu, before) ? pages.slice(0, -1) : pages;
      return [...kept.map(text), asMenu];
    }
  }
  return textOnly(replies, room);
}

/** Everything as numbered text (when a menu would not fit in the messages allowed). */
export const textOnly = (replies: readonly Reply[], room: number): KfOutgoing[] =>
  packForOa(replies, room, true).map(text);
