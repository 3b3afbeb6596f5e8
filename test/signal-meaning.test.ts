import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/core/engine.js';
import { compileFlow } from '../src/flow/compile.js';
import type { Lang } from '../src/shared/types.js';
import { chat, loadKit, ROOT, type Kit } from './helpers.js';

/**
 * The scam signal by meaning (src/core/classify/signal.ts), measured on the safety corpus
 * (test/corpus/safety/, written by an author who never saw the rules or the examples, and
 * never trained on): how many scams' opening messages raise the signal (recall), and how many
 * honest stories' do (false alarms), with the phrases alone and with the classifier added.
 * The numbers are in docs/architecture.md; a change that loses recall or adds alarms fails here.
 */
interface Item {
  id: string;
  lang: Lang;
  text: string;
}

const NOW = new Date('2026-11-28T04:00:00Z');
let kit: Kit;
let rulesOnly: Engine;
let modelOnly: Engine;
let scams: Item[];
let honest: Item[];

beforeAll(async () => {
  kit = await loadKit();
  // The same flow with the interrupt's examples taken out: the phrases alone.
  const definition = structuredClone(kit.flow.definition);
  for (const i of definition.interrupts ?? []) delete i.examples;
  rulesOnly = createEngine(compileFlow(definition, `${kit.flow.hash}-rules`), kit.translators);
  // And with the phrases taken out instead: the classifier alone.
  const noPhrases = structuredClone(kit.flow.definition);
  for (const i of noPhrases.interrupts ?? []) if (i.examples) i.phrases = { 'zh-CN': [], en: [] };
  modelOnly = createEngine(compileFlow(noPhrases, `${kit.flow.hash}-model`), kit.translators);
  const read = async (name: string) =>
    parse(await readFile(resolve(ROOT, 'test/corpus/safety', name), 'utf8')) as Item[];
  scams = await read('scam.yaml');
  honest = await read('honest.yaml');
});

/** The share of opening messages that raise the signal. */
function signalled(engine: Engine, items: readonly Item[]): number {
  const raised = items.filter(({ id, lang, text }) => {
    const { session } = engine.handle(undefined, { userId: id, text, lang }, NOW);
    return session?.facts.scamSignal === true;
  });
  return raised.length / items.length;
}

describe('the scam signal by meaning', () => {
  it('raises the signal on far more scams than the phrases, with few false alarms', () => {
    const rules = { recall: signalled(rulesOnly, scams), alarms: signalled(rulesOnly, honest) };
    const both = { recall: signalled(kit.engine, scams), alarms: signalled(kit.engine, honest) };
    const model = { recall: signalled(modelOnly, scams), alarms: signalled(modelOnly, honest) };
    // Measured (docs/architecture.md): phrases 42.9% / 4.0%, the classifier alone 86.6% /
    // 7.4%, both 89.2% / 10.9%; after issue 21's fourth round (the mean of nine runs, new
    // examples, threshold 0.46) the classifier alone 86.3% / 7.4%, both 89.5% / 10.9%.
    expect(rules.recall).toBeLessThan(0.5);
    expect(both.recall).toBeGreaterThanOrEqual(0.89);
    expect(both.alarms).toBeLessThanOrEqual(0.11);
    // The phrases are kept because they still find scams the model misses.
    expect(both.recall).toBeGreaterThan(model.recall);
    expect(model.recall).toBeGreaterThan(rules.recall);
  });

  it('names the words it read back to the user, and only asks to confirm', () => {
    const c = chat(kit.engine, { lang: 'zh-CN' });
    // No phrase of the flow's: the classifier alone reads it.
    const text = '网上认识的一个大哥带我买一个币 说保证翻倍 现在钱取不出来了';
    const first = c.say(text);
    expect(c.session?.facts.scamSignal).toBe(true);
    expect(first).toMatch(/你提到了「[^」]+」/u);
    // The warning, not the plan: the screen still asks.
    expect(c.session?.stepId).not.toBe('scam-now');
    expect(first).not.toContain('请先停一下，这很可能是诈骗');
  });

  it('a "no" to its confirmation is final: a false alarm costs one question', () => {
    const c = chat(kit.engine, { lang: 'en' });
    c.say('hello');
    c.say('no'); // urgent-check
    c.say('reward code');
    expect(c.session?.stepId).toBe('screen-offer');
    c.say('no');
    c.say('no'); // screen-promise: the screen is all "no"
    const asked = c.say(
      'someone online chatted with me every day and then showed me a coin to invest in',
    );
    expect(c.session?.confirming).toBeDefined();
    expect(asked).toContain('A quick safety check first');
    c.say('no');
    expect(c.session?.facts.signalConfirmed).toBe(false);
    expect(c.session?.confirming).toBeUndefined();
    c.say('a man online talked to me daily and got me to put money on an investment site');
    expect(c.session?.confirming).toBeUndefined();
  });

  it('a short answer is never read as a signal', () => {
    const c = chat(kit.engine, { lang: 'zh-CN' });
    c.say('你好');
    c.say('是的');
    expect(c.session?.facts.scamSignal).toBeUndefined();
  });
});
