import { beforeAll, describe, expect, it } from 'vitest';
import { placeholders } from '../src/authoring/lint.js';
import { missingFlowKeys } from '../src/flow/keys.js';
import { createTranslators } from '../src/i18n/index.js';
import { LANGS } from '../src/shared/types.js';
import { loadKit, type Kit } from './helpers.js';

let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});

type Tree = { [key: string]: unknown };

function leaves(tree: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof tree === 'string') return out.set(prefix, tree);
  for (const [key, value] of Object.entries((tree ?? {}) as Tree)) {
    for (const [k, v] of leaves(value, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
  }
  return out;
}

describe('locales', () => {
  it('every key exists in every language, with the same placeholders', () => {
    const [first, ...others] = LANGS;
    const base = leaves(kit.resources[first]);
    expect(base.size).toBeGreaterThan(50);
    for (const lang of others) {
      const other = leaves(kit.resources[lang]);
      expect([...other.keys()].sort(), `keys of ${lang}`).toEqual([...base.keys()].sort());
      for (const [key, text] of base) {
        expect(placeholders(other.get(key) ?? ''), `${lang}:${key}`).toEqual(placeholders(text));
      }
    }
  });

  it('the flow has every word it needs in every language', () => {
    expect(missingFlowKeys(kit.flow.definition, kit.resources)).toEqual([]);
  });

  it('detects a missing key', () => {
    const broken = structuredClone(kit.resources) as Tree;
    delete (
      (((broken.en as Tree)['reward-code-recovery'] as Tree).steps as Tree)['ask-date'] as Tree
    ).prompt;
    expect(missingFlowKeys(kit.flow.definition, broken)).toEqual([
      { lang: 'en', key: 'steps.ask-date.prompt' },
    ]);
  });

  it('prints no phone number outside the allowlist (110, 96110, 95017, 12348)', () => {
    const allowed = new Set(['110', '96110', '95017', '12348']);
    for (const lang of LANGS) {
      for (const [key, text] of leaves(kit.resources[lang])) {
        // Legal references (第147条, arts. 985–987) are not phone numbers; every other run of
        // 3+ digits is, except amounts, years and the "tip 5.88, get 588" example.
        const withoutLaw = text
          .replace(/第\d+(?:至\d+)?条/g, '')
          .replace(/arts?\.\s*\d+(?:\s*(?:,|–|and)\s*\d+)*/g, '');
        const numbers = [
          ...withoutLaw.matchAll(/(?<![\d.,])\d{3,}(?![\d.,]|\s*(?:元|万|yuan|年|-|\/))/g),
        ].map((m) => m[0]);
        for (const n of numbers) {
          const ok =
            allowed.has(n) || /^(19|20)\d\d$/.test(n) || ['500', '588', '520', '1314'].includes(n);
          expect(ok, `${lang}:${key} prints ${n}`).toBe(true);
        }
        expect(text, `${lang}:${key}`).not.toMatch(/400[-\s]?\d{3}/);
      }
    }
  });
});

describe('the render cache', () => {
  const t = createTranslators({
    'zh-CN': { common: { apples_other: '{{count}} 个', paid: '付了 {{amount, number}}' } },
    en: {
      common: {
        apples_one: '{{count}} apple',
        apples_other: '{{count}} apples',
        paid: 'Paid {{amount, number}}',
      },
    },
  })('en');

  it('renders plurals by count, every time', () => {
    expect(t('common:apples', { count: 1 })).toBe('1 apple');
    expect(t('common:apples', { count: 5 })).toBe('5 apples');
    expect(t('common:apples', { count: 1 })).toBe('1 apple');
  });

  it('renders formatted values anew for each value', () => {
    expect(t('common:paid', { amount: 1000 })).toBe('Paid 1,000');
    expect(t('common:paid', { amount: 2500 })).toBe('Paid 2,500');
  });
});
