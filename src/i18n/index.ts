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
  // Synchronous (initAsync: false, resources given inline): nothing to wait for or to fail.
  void instance
    .init({
      resources,
      lng: LANGS[0],
      fallbackLng: false,
      supportedLngs: [...LANGS],
      ns: Object.keys(resources[LANGS[0]] ?? {}),
      defaultNS: 'common',
      initAsync: false,
      interpolation: { escapeValue: false },
      returnNull: false,
    })
    .catch(() => undefined);
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
 * Variables that quote what a user typed, word for word (the whole message in a re-prompt):
 * a text rendered with one is never cached, so a user's words are not kept in this process
 * after `forget` (red-team m32). Names are masked before rendering (render.ts), so they need
 * no entry here.
 */
const QUOTES_USER = new Set(['detail']);

/**
 * i18next renders a long text with nesting in tens of microseconds, and most replies are
 * the same words again. A rendered text is cached under its key and every variable given,
 * name and value: keying only on the variables a text names missed plural and context forms,
 * which have no base text to read the names from, so one user's words could be shown to
 * another (red-team M12, code review defect B). Keyed on everything, no locale can make the
 * cache cross users. Bounded in characters.
 */
function memoised(instance: i18n, lang: Lang, fixed: TFunction): Translator {
  const rendered = new Map<string, string>();
  let chars = 0;
  const t = (key: string, vars?: Record<string, unknown>) => {
    const names = vars ? Object.keys(vars) : [];
    if (names.some((n) => QUOTES_USER.has(n))) return String(fixed(key, vars ?? {}));
    const id =
      names.length === 0
        ? key
        : `${key}\u0000${names
            .sort()
            .map((n) => `${n}\u0001${valueId(vars?.[n])}`)
            .join('\u0000')}`;
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
  return Object.assign(t, { exists: (key: string) => instance.exists(key, { lng: lang }) });
}

/** A variable's value as part of a cache key: its type too, so 1 and "1" differ. */
function valueId(value: unknown): string {
  if (value === undefined) return 'u';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value}${value}`;
  return `j${JSON.stringify(value)}`;
}
