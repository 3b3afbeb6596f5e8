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
  /** A person, please (turn/handoff.ts asks consent first). */
  | { type: 'handoff' }
  /** Back to the bot from a person (or from waiting for one). */
  | { type: 'endHandoff' }
  | { type: 'language'; lang: Lang | undefined };

export const COMMAND_WORDS: Record<Exclude<Command['type'], 'language'>, string[]> = {
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
  handoff: [
    'human',
    '/human',
    'real person',
    'a real person',
    'human agent',
    'live agent',
    'volunteer',
    '人工',
    '真人',
    '转人工',
    '人工服务',
    '人工客服',
    '志愿者',
  ],
  endHandoff: [
    'back to the bot',
    'back to bot',
    '/bot',
    'end human',
    'stop human',
    'bot',
    '结束人工',
    '退出人工',
    '结束人工服务',
    '返回机器人',
    '回到机器人',
    '找机器人',
  ],
};

/**
 * The ways people ask for a person in a sentence: 我要人工客服, 找人工客服, 能转人工吗, 有没有律师,
 * 有真人吗; "talk to a person", "can I speak to a human please". Whole messages only, so an
 * answer that mentions a lawyer ("律师说要起诉") stays an answer; a bare 律师 or "a person" is
 * an answer too (who contacted you afterwards: a fake 律师 is a scam's third party).
 */
const HANDOFF_ZH =
  /^(?:请|麻烦)?(?:我)?(?:要|想|需要)?(?:找|转|联系|接|换)?(?:个|一个|一下)?(?:人工|真人)(?:客服|服务|帮忙|回复|回答|来)?(?:吧|吗|呢|可以吗|行吗)?$|^(?:能|可以)(?:转|找)(?:人工|真人)(?:客服|服务)?(?:吗|呢)?$|^(?:有|有没有)(?:人工|真人|律师|志愿者)(?:客服|服务|可以帮我|在)?(?:吗|呢)?$|^(?:我)?(?:要|想|需要)?(?:找|问问|咨询)(?:个|一个|一下)?(?:律师|志愿者)(?:帮忙)?(?:吧|吗)?$/u;
const HANDOFF_EN =
  /^(?:please |can i |could i |may i |i want to |i'd like to |i would like to |i need to |let me )?(?:talk|speak|chat) (?:to|with) (?:a |an |some )?(?:real )?(?:person|human|someone|lawyer|volunteer|agent|operator)(?: please)?$|^(?:i )?(?:want|need) (?:a |an )?(?:real )?(?:person|human|lawyer|volunteer|agent)(?: please)?$|^(?:is there|are there) (?:a |an |any )?(?:real )?(?:person|human|lawyer|volunteer)s?(?: (?:here|there|available))?$/u;

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

// Each word's command, the first list naming it winning as a scan of COMMAND_WORDS in order would.
const COMMAND_OF = new Map<string, Exclude<Command['type'], 'language'>>();
for (const [type, words] of Object.entries(COMMAND_WORDS) as [
  Exclude<Command['type'], 'language'>,
  string[],
][])
  for (const word of words) if (!COMMAND_OF.has(word)) COMMAND_OF.set(word, type);

export function parseCommand(text: string): Command | undefined {
  const s = normalize(text);
  // A lone "?" is all punctuation, which normalize() strips (so only an empty `s` can be one).
  if (s === '' && text.normalize('NFKC').trim() === '?') return { type: 'help' };
  const type = COMMAND_OF.get(s);
  if (type) return { type } as Command;
  if (HANDOFF_ZH.test(s) || HANDOFF_EN.test(s)) return { type: 'handoff' };
  const prefixed = LANGUAGE_PREFIX.exec(s);
  if (prefixed) return { type: 'language', lang: LANGUAGE_NAMES.get(prefixed[1] ?? '') };
  // A bare language name switches too: nobody answers a question with "English".
  const bare = LANGUAGE_NAMES.get(s);
  if (bare && s !== 'en' && s !== 'zh') return { type: 'language', lang: bare };
  return undefined;
}
