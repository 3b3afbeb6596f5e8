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

/** Rendered texts kept at most; past that the cache starts afresh (cheap and bounded). */
const MAX_CACHED = 20_000;

/**
 * i18next renders a long text with nesting in tens of microseconds, and most replies are
 * the same words again. A rendered text depends only on the language, the key and the
 * variables it actually uses, so it is cached under exactly those.
 */
function memoised(instance: i18n, lang: Lang, fixed: TFunction): Translator {
  const rendered = new Map<string, string>();
  const usedVars = new Map<string, string[]>();
  const variablesOf = (key: string, seen = new Set<string>()): string[] => {
    const known = usedVars.get(key);
    if (known) return known;
    const [ns, path] = key.includes(':')
      ? (key.split(/:(.*)/s) as [string, string])
      : ['common', key];
    const raw = instance.getResource(lang, ns, path) as unknown;
    const names = new Set<string>();
    if (typeof raw === 'string') {
      for (const m of raw.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)) names.add(m[1] ?? '');
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
    const names = variablesOf(key);
    const id =
      names.length === 0
        ? key
        : `${key}\u0000${names.map((n) => String(vars?.[n] ?? '\u0001')).join('\u0000')}`;
    let text = rendered.get(id);
    if (text === undefined) {
      text = String(fixed(key, vars ?? {}));
      if (rendered.size >= MAX_CACHED) rendered.clear();
      rendered.set(id, text);
    }
    return text;
  };
  return Object.assign(t, { exists: (key: string) => instance.exists(key, { lng: lang }) });
}
