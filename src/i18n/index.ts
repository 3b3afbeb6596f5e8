import i18next, { type i18n, type Resource, type TFunction } from 'i18next';
import { LANGS, type Lang } from '../shared/types.js';

export type { Resource };

import type { Translator, Translators } from '../core/ports.js';

export type { Translator, Translators };

/**
 * One i18next instance; each session gets a translator fixed to its language through
 * `getFixedT`, never the global `changeLanguage`, so two users in two languages cannot
 * interleave.
 */
export function createTranslators(resources: Resource): Translators {
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: LANGS[0],
    fallbackLng: false,
    supportedLngs: [...LANGS],
    ns: Object.keys(resources[LANGS[0]] ?? {}),
    defaultNS: 'common',
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const translators = new Map<Lang, Translator>();
  return (lang) => {
    let t = translators.get(lang);
    if (!t) {
      t = memoised(instance, lang, instance.getFixedT(lang));
      translators.set(lang, t);
    }
    return t;
  };
}

/** The cache holds at most this many characters of rendered text, then starts afresh. */
const MAX_CACHED_CHARS = 4_000_000;

/**
 * i18next renders a long text with nesting in tens of microseconds, and most replies are
 * the same words again. A rendered text is cached under its key and *all* the variables
 * given (not only those its text names: a plural's `count` or a formatted `{{n, number}}`
 * changes the words too), and the cache is bounded in characters, not entries.
 */
function memoised(instance: i18n, lang: Lang, fixed: TFunction): Translator & { clear(): void } {
  const rendered = new Map<string, string>();
  let chars = 0;
  const t = (key: string, vars?: Record<string, unknown>) => {
    const id = vars ? `${key}\u0000${stableJson(vars)}` : key;
    let text = rendered.get(id);
    if (text === undefined) {
      text = String(fixed(key, vars ?? {}));
      if (chars + id.length + text.length > MAX_CACHED_CHARS) {
        rendered.clear();
        chars = 0;
      }
      rendered.set(id, text);
      chars += id.length + text.length;
    }
    return text;
  };
  return Object.assign(t, {
    exists: (key: string) => instance.exists(key, { lng: lang }),
    clear: () => {
      rendered.clear();
      chars = 0;
    },
  });
}

function stableJson(vars: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(vars)
      .sort()
      .map((k) => [k, vars[k]]),
  );
}
