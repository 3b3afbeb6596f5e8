import i18next, { type Resource, type TFunction } from 'i18next';
import { LANGS, type Lang } from '../core/types.js';

export type { Resource };

/** What the core needs from i18n: one translator per language. */
export interface Translator {
  (key: string, vars?: Record<string, unknown>): string;
  exists(key: string): boolean;
}

export type Translators = (lang: Lang) => Translator;

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
  const cache = new Map<Lang, Translator>();
  return (lang) => {
    let t = cache.get(lang);
    if (!t) {
      const fixed: TFunction = instance.getFixedT(lang);
      t = Object.assign((key: string, vars?: Record<string, unknown>) => String(fixed(key, vars ?? {})), {
        exists: (key: string) => instance.exists(key, { lng: lang }),
      });
      cache.set(lang, t);
    }
    return t;
  };
}
