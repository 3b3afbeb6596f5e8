import { hasHan } from './interpret/index.js';
import { DEFAULT_LANG, type Lang } from '../shared/types.js';

/** Han characters → Chinese; Latin letters → English; anything else (digits, emoji) → the default. */
export function detectLanguage(text: string): Lang {
  if (hasHan(text)) return 'zh-CN';
  if (/\p{Script=Latin}/u.test(text)) return 'en';
  return DEFAULT_LANG;
}
