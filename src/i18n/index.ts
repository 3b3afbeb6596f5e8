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

// Variables that choose which text is used, not only what it contains: always part of the key.
const SELECTORS = ['count', 'context', 'ordinal'];

/**
 * i18next renders a long text with nesting in tens of microseconds, and most replies are
 * the same words again. A rendered text is cached under its key and the variables it uses:
 * those its text (and nested texts) name, formatted ones included (`{{amount, number}}`), and
 * always `count` and `context`, which pick a plural or a variant. Bounded in characters.
 */
function memoised(instance: i18n, lang: Lang, fixed: TFunction): Translator {
  const rendered = new Map<string, string>();
  let chars = 0;
  const usedVars = new Map<string, string[]>();
  const variablesOf = (key: string, seen = new Set<string>()): string[] => {
    const known = usedVars.get(key);
    if (known) return known;
    const [ns, path] = key.includes(':')
      ? (key.split(/:(.*)/s) as [string, string])
      : ['common', key];
    const raw = instance.getResource(lang, ns, path) as unknown;
    const names = new Set<string>(SELECTORS);
    if (typeof raw === 'string') {
      for (const m of raw.matchAll(/\{\{-?\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)) names.add(m[1] ?? '');
      for (const m of raw.matchAll(/\$t\(([^),]+)/g)) {
        const nested = m[1] ?? '';
        if (!seen.has(nested))
          for (const n of variablesOf(nested, new Set([...seen, key]))) names.add(n);
      }
    }
    const list = [...names].sort();
    usedVars.set(key, list);
    return list;
  };
  const t = (key: string, vars?: Record<string, unknown>) => {
    const id = vars
      ? `${key}\u0000${variablesOf(key)
          .map((n) => String(vars[n] ?? '\u0001'))
          .join('\u0000')}`
      : key;
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
