import { normalize } from './interpret/normalize.js';
import type { Lang } from '../shared/types.js';

/**
 * Commands work at any step, in either language. These are words people type, not text we
 * show; the help text that lists them lives in locales/.
 */
export type Command =
  | { type: 'help' }
  | { type: 'back' }
  | { type: 'restart' }
  | { type: 'summary' }
  | { type: 'forget' }
  | { type: 'language'; lang: Lang | undefined };

const WORDS: Record<Exclude<Command['type'], 'language'>, string[]> = {
  help: ['help', '/help', '?', '帮助', '菜单', 'menu'],
  back: ['back', '/back', 'undo', '返回', '上一步', '后退', '撤销'],
  restart: ['restart', '/restart', 'start over', '重新开始', '重来', '从头开始'],
  summary: ['summary', '/summary', '摘要', '总结', '案情摘要'],
  forget: [
    'forget',
    '/forget',
    'delete my data',
    'forget me',
    '删除我的数据',
    '删除数据',
    '删除我的信息',
  ],
};

const LANGUAGE_PREFIX = /^\/?(?:语言|language|lang)\s*[:：]?\s*(.*)$/u;
// A Map, not an object: typed text such as "__proto__" must not find Object.prototype.
const LANGUAGE_NAMES = new Map<string, Lang>(
  Object.entries({
    en: 'en',
    english: 'en',
    英文: 'en',
    英语: 'en',
    zh: 'zh-CN',
    'zh-cn': 'zh-CN',
    chinese: 'zh-CN',
    中文: 'zh-CN',
    简体中文: 'zh-CN',
    汉语: 'zh-CN',
    普通话: 'zh-CN',
  } satisfies Record<string, Lang>),
);

export function parseCommand(text: string): Command | undefined {
  // A lone "?" is all punctuation, which normalize() strips.
  if (text.normalize('NFKC').trim() === '?') return { type: 'help' };
  const s = normalize(text);
  for (const [type, words] of Object.entries(WORDS)) {
    if (words.includes(s)) return { type } as Command;
  }
  const prefixed = LANGUAGE_PREFIX.exec(s);
  if (prefixed) return { type: 'language', lang: LANGUAGE_NAMES.get(prefixed[1] ?? '') };
  // A bare language name switches too: nobody answers a question with "English".
  const bare = LANGUAGE_NAMES.get(s);
  if (bare && s !== 'en' && s !== 'zh') return { type: 'language', lang: bare };
  return undefined;
}
