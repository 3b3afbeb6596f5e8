import { createHash } from 'node:crypto';
import type { SharedValues } from '../../core/ports.js';
import type { Reply } from '../../core/replies.js';
import type { KfOutgoing } from './api.js';

/** WeCom's msgmenu limits, in bytes of UTF-8 (silenceper/wechat work/kf/sendmsg/message.go). */
export const MENU_HEAD_BYTES = 1024;
export const MENU_ID_BYTES = 64;
export const MENU_LABEL_BYTES = 128;

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
type Question = Extract<Reply, { type: 'question' }>;

/**
 * A question as a msgmenu: the question (and `before`, when it fits) as the head, each option
 * a tap whose id is `<tag>.<number>`. The tag names this very question, so a tap on an older
 * menu is not read as an answer to a newer question. Undefined when it does not fit WeCom's
 * limits: the question then goes out as numbered text.
 */
export function menuOf(question: Question, before?: string): KfOutgoing | undefined {
  if (question.options.length === 0) return undefined;
  const tag = tagOf(question);
  const joined = before ? `${before}\n\n${question.text}` : question.text;
  const head = before && bytes(joined) <= MENU_HEAD_BYTES ? joined : question.text;
  if (bytes(head) > MENU_HEAD_BYTES) return undefined;
  const items = question.options.map((label, i) => ({
    id: `${tag}.${i + 1}`,
    content: cut(label, MENU_LABEL_BYTES),
  }));
  if (items.some((item) => bytes(item.id) > MENU_ID_BYTES || item.content === '')) return undefined;
  return { type: 'menu', head, items };
}

/** Whether `menuOf` put `before` into the head. */
export const absorbed = (menu: KfOutgoing, before: string) =>
  menu.type === 'menu' && menu.head.startsWith(`${before}\n\n`);

export function tagOf(question: Question): string {
  return createHash('sha256')
    .update(JSON.stringify([question.text, question.options]))
    .digest('hex')
    .slice(0, 8);
}

/** The menu a user was sent last, kept for the 48 hours a tap on it may come back in. */
export function createMenuMemory(shared: SharedValues) {
  const key = (user: string) => `kf-menu:${user}`;
  return {
    remember: (user: string, menu: KfOutgoing) =>
      menu.type === 'menu'
        ? shared.set(key(user), menu.items[0]?.id.split('.')[0] ?? '', 48 * 3_600_000)
        : Promise.resolve(),
    /**
     * What a tap means: the option's number when it is on the user's latest menu (read
     * exactly, as if typed), else the label's words (an older menu: read like typed words).
     */
    async read(user: string, menuId: string, label: string): Promise<string> {
      const match = /^([0-9a-f]{8})\.(\d{1,3})$/.exec(menuId);
      if (!match?.[1] || !match[2]) return label;
      return (await shared.get(key(user))) === match[1] ? match[2] : label;
    },
  };
}

/** At most `max` bytes, cut between characters, with an ellipsis when cut. */
function cut(text: string, max: number): string {
  if (bytes(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (bytes(`${out}${ch}…`) > max) break;
    out += ch;
  }
  return `${out}…`;
}
