/** The languages the assistant speaks. zh-CN is the default: most users write Chinese. */
export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** A fact's value: money in yuan (number), a date as YYYY-MM-DD, yes/no, an option id or text. */
export type FactValue = string | number | boolean;
export type Facts = Record<string, FactValue>;
