import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createTranslators } from '../src/i18n/index.js';
import { loadKit } from './helpers.js';

/**
 * The shared render cache cannot serve one user's words to another, whatever shape a locale
 * takes (red-team M12, code review defect B), and keeps nothing a user typed (m32).
 */
describe('the render cache', () => {
  it('plural forms are keyed on every variable, not only count (defect B)', () => {
    const t = createTranslators({
      'zh-CN': { common: {} },
      en: {
        common: {
          paid_one: '{{count}} payment to {{name}}',
          paid_other: '{{count}} payments to {{name}}',
        },
      },
    })('en');
    expect(t('common:paid', { count: 1, name: 'Wang' })).toBe('1 payment to Wang');
    expect(t('common:paid', { count: 1, name: 'Li' })).toBe('1 payment to Li');
    expect(t('common:paid', { count: 2, name: 'Li' })).toBe('2 payments to Li');
  });

  it('a text is keyed on the variables of the texts it nests, and on no others', () => {
    const t = createTranslators({
      'zh-CN': { common: {} },
      en: { common: { plan: 'Pay attention: $t(common:who)', who: 'ask {{name}}' } },
    })('en');
    expect(t('common:plan', { name: 'Wang', unused: 1 })).toBe('Pay attention: ask Wang');
    expect(t('common:plan', { name: 'Li', unused: 1 })).toBe('Pay attention: ask Li');
    // A variable the text cannot show does not make another entry (the plans pass thirty).
    expect(t('common:plan', { name: 'Li', unused: 2 })).toBe('Pay attention: ask Li');
  });

  it('a re-prompt quoting the user, made plural by a translator, quotes each user their own words (M12)', () => {
    const form = '我理解的是「{{detail}}」({{count}})';
    const t = createTranslators({
      'zh-CN': { common: { reprompt: { moneyRange_one: form, moneyRange_other: form } } },
      en: { common: {} },
    })('zh-CN');
    const alice = t('common:reprompt.moneyRange', {
      count: 1,
      detail: '大概五六百吧，Alice 的私房钱',
    });
    const bob = t('common:reprompt.moneyRange', { count: 1, detail: '三四百左右' });
    expect(alice).toContain('Alice 的私房钱');
    expect(bob).toContain('三四百左右');
    expect(bob).not.toContain('Alice');
  });

  it('what a user typed is not kept: 500 long vague amounts leave the heap as they found it (m32)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const kit = await loadKit();
    const t = kit.translators('zh-CN');
    const unique = (i: number) => `大概${i}百左右，${'这是我自己的私房钱'.repeat(170)}${i}`;
    // Warm up everything but the texts under test.
    t('common:reprompt.moneyRange', { detail: unique(-1) });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 500; i++) t('common:reprompt.moneyRange', { detail: unique(i) });
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // Cached, each ~1,600-character text would be kept twice (key and value): over 3 MB.
    expect(grown).toBeLessThan(1_000_000);
  });
});
