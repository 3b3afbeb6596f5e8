import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFlowFile, loadWords } from '../src/adapters/files/flow-files.js';
import { loadModelBank } from '../src/adapters/files/model-cache.js';
import { trainingKey, type ModelBank } from '../src/core/classify/bank.js';
import { allTrainingSets } from '../src/core/training-sets.js';
import { storyTrainingData } from '../src/core/story-yesno.js';
import { createEngine } from '../src/core/engine.js';
import { compileFlow, type CompiledFlow } from '../src/flow/compile.js';
import { createTranslators, type Translators } from '../src/i18n/index.js';
import { chat, FLOW_FILE, LOCALES_DIR } from './helpers.js';

/**
 * The classifiers are trained once per content and kept (src/adapters/files/model-cache.ts):
 * a start with the models on disk trains none, no message trains one later, the kept models
 * read exactly as freshly trained ones, and a changed example retrains only what learns from it.
 */
let dir: string;
let translators: Translators;
/** A freshly loaded flow: new objects, so no model trained in this process is reused. */
const fresh = () => loadFlowFile(FLOW_FILE);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhuihui-models-'));
  const flow = await fresh();
  translators = createTranslators(await loadWords(LOCALES_DIR, [flow]));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A bank that counts what it is asked for and what had to be trained. */
function counted(bank: ModelBank) {
  const seen = { gets: 0, adds: 0 };
  return {
    seen,
    bank: {
      get: (key: string) => (seen.gets++, bank.get(key)),
      add: (key: string, model: Parameters<ModelBank['add']>[1]) => (
        seen.adds++,
        bank.add(key, model)
      ),
    } satisfies ModelBank,
  };
}

/**
 * A conversation that reaches the step classifiers, the signal, the commands, the story
 * yes/no readers and the correction form.
 */
function converse(flow: CompiledFlow, bank?: ModelBank): string[] {
  const c = chat(createEngine(flow, translators, undefined, undefined, { models: bank }), {
    lang: 'zh-CN',
  });
  return [
    '上周扫码付错人了 他把我拉黑了', // an opening story: the story readers
    '没有',
    '我是扫了别人文章下面那个码打赏的', // payment kind, by meaning
    '网上认识的大哥带我买一种币 说稳赚 现在取不出来', // the signal, by meaning
    '我想看一下记录', // a command, by meaning
    '刚才说错了 金额应该是300', // a correction: the correction form
  ].map((text) => c.say(text));
}

describe('classifier models cached by content', () => {
  it('trains every model once, then a start with the files trains none', async () => {
    const flow = await fresh();
    const first = await loadModelBank([flow], translators, dir);
    expect(first.trained).toHaveLength(allTrainingSets(flow, translators).length);
    expect(first.trained.length).toBeGreaterThanOrEqual(16);
    const files = (await readdir(dir)).filter((f) => f.startsWith('model-'));
    expect(files).toHaveLength(first.trained.length);

    const again = await loadModelBank([await fresh()], translators, dir);
    expect(again.trained).toEqual([]);
  });

  it('no message trains a model once the bank is loaded, and the readings are the same', async () => {
    const { bank } = await loadModelBank([await fresh()], translators, dir);
    const { bank: watched, seen } = counted(bank!);
    const kept = converse(await fresh(), watched);
    expect(seen.gets).toBeGreaterThan(0);
    expect(seen.adds).toBe(0);
    // Trained afresh in this process, without any cache: word for word the same replies.
    expect(kept).toEqual(converse(await fresh()));
  });

  it('a changed example retrains the models that learn from it alone', async () => {
    const flow = await fresh();
    const definition = structuredClone(flow.definition);
    const step = definition.steps['payment-kind'];
    if (step?.type !== 'choice') throw new Error('payment-kind is a choice');
    step.options[0]!.examples!['zh-CN']!.push('在公众号文章末尾扫码赞赏的');
    const changed = compileFlow(definition, `${flow.hash}-changed`);
    const { trained } = await loadModelBank([changed], translators, dir);
    // The step's, and those that take every option's examples as their negatives: the
    // commands', the correction form's and each story reader's; no other step's (but check-bill's), no signal's.
    const names = trained.map((n) => n.replace('reward-code-recovery: ', ''));
    // check-bill asks payment-kind's question again and learns from its examples.
    expect(names.filter((n) => n.startsWith('step ')).sort()).toEqual([
      'step check-bill',
      'step payment-kind',
    ]);
    expect(names.filter((n) => n.startsWith('signal '))).toEqual([]);
    expect(names).toContain('commands');
    expect(names).toContain('corrections');
    // A story reader whose step's phrases name the new example leaves it out: not retrained.
    const before = new Map(storyTrainingData(flow).map((r) => [r.stepId, trainingKey(r.pairs)]));
    const moved = storyTrainingData(changed)
      .filter((r) => before.get(r.stepId) !== trainingKey(r.pairs))
      .map((r) => `story ${r.stepId}`);
    expect(moved.length).toBeGreaterThan(0);
    expect(names.filter((n) => n.startsWith('story '))).toEqual(moved);
  });
});
