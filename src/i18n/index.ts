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
/** At most this many keys' answers to `exists` are remembered. */
const MAX_CACHED_KEYS = 10_000;

/**
 * Variables that quote what a user typed, word for word (the whole message in a re-prompt):
 * a text rendered with one is never cached, so a user's words are not kept in this process
 * after `forget` (red-team m32). Names are masked before rendering (render.ts), so they need
 * no entry here.
 */
const QUOTES_USER = new Set(['detail']);

/**
 * i18next renders a long text with nesting in tens of microseconds, and most replies are
 * the same words again. A rendered text is cached under its key and the values of every
 * variable it can use: the placeholders of the text, of each of its plural and context forms
 * (`key_one`, `key_male`, …) and of every text it nests with `$t(…)`, plus `count` and
 * `context` themselves. Keying only on the base text's names missed plural and context forms,
 * which could show one user's words to another (red-team M12, code review defect B); keying
 * on every variable passed made each plan (thirty facts and phrases) a cache miss. Bounded in
 * characters.
 */
function memoised(instance: i18n, lang: Lang, fixed: TFunction): Translator {
  const rendered = new Map<string, string>();
  const uses = new Map<string, string[]>();
  const existing = new Map<string, boolean>();
  let chars = 0;
  const used = (key: string): string[] => {
    let names = uses.get(key);
    if (!names) {
      names = [...variablesOf(instance, lang, key, new Set())].sort();
      uses.set(key, names);
    }
    return names;
  };
  const t = (key: string, vars?: Record<string, unknown>) => {
    if (!vars) return cachedOrRender(key, key, undefined);
    const names = used(key);
    if (names.some((n) => QUOTES_USER.has(n) && vars[n] !== undefined))
      return String(fixed(key, vars));
    const id = `${key}\u0000${names.map((n) => `${n}\u0001${valueId(vars[n])}`).join('\u0000')}`;
    return cachedOrRender(id, key, vars);
  };
  const cachedOrRender = (id: string, key: string, vars: Record<string, unknown> | undefined) => {
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
    exists: (key: string) => {
      // The resources never change after init, and i18next's lookup costs microseconds (the
      // case file asks for every fact's label): remembered, bounded like the render cache.
      let known = existing.get(key);
      if (known === undefined) {
        known = instance.exists(key, { lng: lang });
        if (existing.size >= MAX_CACHED_KEYS) existing.clear();
        existing.set(key, known);
      }
      return known;
    },
    uses: used,
  });
}

/** Every variable a key's texts can use: its forms' placeholders and its nested texts'. */
function variablesOf(instance: i18n, lang: Lang, key: string, seen: Set<string>): Set<string> {
  // count and context choose the form, so they are part of the key whenever given.
  const out = new Set<string>(['count', 'context']);
  if (seen.has(key)) return out;
  seen.add(key);
  const [ns, path] = key.includes(':')
    ? (key.split(/:(.*)/s) as [string, string])
    : ['common', key];
  const parts = path.split('.');
  const last = parts.pop() ?? '';
  const parent = parts.reduce<unknown>(
    (node, part) =>
      node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined,
    instance.getResourceBundle(lang, ns) as unknown,
  );
  const texts: string[] = [];
  if (parent && typeof parent === 'object')
    for (const [name, value] of Object.entries(parent as Record<string, unknown>))
      if ((name === last || name.startsWith(`${last}_`)) && typeof value === 'string')
        texts.push(value);
  for (const text of texts) {
    for (const m of text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)) out.add(m[1] ?? '');
    for (const m of text.matchAll(/\$t\(([^,)]+)/g)) {
      const nested = (m[1] ?? '').trim();
      for (const name of variablesOf(
        instance,
        lang,
        nested.includes(':') ? nested : `${ns}:${nested}`,
        seen,
      ))
        out.add(name);
    }
  }
  return out;
}

/** A variable's value as part of a cache key: its type too, so 1 and "1" differ. */
function valueId(value: unknown): string {
  if (value === undefined) return 'u';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value}${value}`;
  return `j${JSON.stringify(value)}`;
}
