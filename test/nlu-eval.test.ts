import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { formatLintProblem, lintFlow } from '../src/authoring/lint.js';
import { chooseThresholds } from '../src/authoring/nlu-eval.js';
import { loadKit } from './helpers.js';

/** `npm run flow -- nlu-eval`, as an author runs it on a corpus of their own. */
let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'zhuihui-nlu-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function run(args: string[]) {
  const output = new PassThrough();
  let out = '';
  let err = '';
  output.on('data', (d: Buffer) => (out += d.toString()));
  const code = await runCli(
    args,
    { DATA_DIR: join(tmp, 'data') },
    {
      input: Readable.from([]),
      output,
      error: (text) => (err += text),
      interactive: false,
      privateFiles: false,
    },
  );
  return { code, out, err };
}

describe('flow nlu-eval', () => {
  it('prints rules, classifier and both, per step and intent, with the confusions', async () => {
    await mkdir(join(tmp, 'corpus/nlu'), { recursive: true });
    await writeFile(
      join(tmp, 'corpus/nlu/mine.yaml'),
      [
        'what-happened:',
        '  wrong-amount:',
        '    zh-CN: [多给了, 金额输错了]',
        '  none:',
        '    zh-CN: [他把我拉黑了]',
        'ask-can-reach:',
        '  no:',
        '    en: [he blocked me]',
      ].join('\n'),
    );
    const { code, out, err } = await run(['flow', 'nlu-eval', '--corpus', join(tmp, 'corpus')]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('nlu-eval: 4 utterances (4 from nlu/, 0 screen answers');
    expect(out).toMatch(/^rules +\d+ /mu);
    expect(out).toMatch(/^classifier +\d+ /mu);
    expect(out).toMatch(/^combined +\d+ /mu);
    expect(out).toContain('thresholds chosen on dev');
    expect(out).toMatch(/what-happened:wrong-amount +\d\.\d\d/u);
    expect(out).toContain('confusions (combined');
  });

  it('reads intents/*.yaml too: the commands and the signal, each its own step', async () => {
    await mkdir(join(tmp, 'corpus/nlu'), { recursive: true });
    await mkdir(join(tmp, 'corpus/intents'), { recursive: true });
    await writeFile(
      join(tmp, 'corpus/nlu/mine.yaml'),
      'ask-can-reach:\n  no:\n    en: [he blocked me]\n',
    );
    await writeFile(
      join(tmp, 'corpus/intents/commands.yaml'),
      [
        'restart:',
        '  zh-CN: [全部从头来一遍吧]',
        '  en: [start over]',
        'none:',
        '  en: [i paid 500]',
      ].join('\n'),
    );
    await writeFile(
      join(tmp, 'corpus/intents/scam-signal.yaml'),
      ['signal:', '  zh-CN: [他让我先交保证金才能退款]', 'none:', '  zh-CN: [我自己转错了]'].join(
        '\n',
      ),
    );
    // Not read at every step: left to its own evaluation.
    await writeFile(join(tmp, 'corpus/intents/corrections.yaml'), 'amount:\n  zh-CN: [不是500]\n');
    const { code, out } = await run(['flow', 'nlu-eval', '--corpus', join(tmp, 'corpus')]);
    expect(code).toBe(0);
    expect(out).toContain(
      '== intents/ (5 utterances, at every step: commands.yaml, scam-signal.yaml) ==',
    );
    expect(out).toMatch(/^commands +3 /mu);
    expect(out).toMatch(/^scam-signal +2 /mu);
    expect(out).toMatch(/commands:restart +\d\.\d\d/u);
  });

  it('measures each file of nlu-heldout/ whole, apart from the split halves', async () => {
    await mkdir(join(tmp, 'corpus/nlu'), { recursive: true });
    await mkdir(join(tmp, 'corpus/nlu-heldout'), { recursive: true });
    await writeFile(
      join(tmp, 'corpus/nlu/mine.yaml'),
      'ask-can-reach:\n  no:\n    en: [he blocked me]\n',
    );
    await writeFile(
      join(tmp, 'corpus/nlu-heldout/later.yaml'),
      [
        'ask-can-reach:',
        '  yes:',
        '    en: [he still answers]',
        '  no:',
        '    zh-CN: [被拉黑了]',
      ].join('\n'),
    );
    const { code, out } = await run(['flow', 'nlu-eval', '--corpus', join(tmp, 'corpus')]);
    expect(code).toBe(0);
    expect(out).toContain('nlu-eval: 1 utterances (1 from nlu/');
    expect(out).toContain('== nlu-heldout/later.yaml (2 utterances, held out whole) ==');
    expect(out).toMatch(/== nlu-heldout[^]*^combined +2 /mu);
  });

  it("flow parse shows the step classifier's ranking with scores", async () => {
    const { code, out } = await run(['flow', 'parse', '--step', 'what-happened', '多给了']);
    expect(code).toBe(0);
    const result = JSON.parse(out) as { unclear: string[]; intents: Array<{ intent: string }> };
    expect(result.unclear).toEqual(['guess']);
    expect(result.intents[0]?.intent).toBe('wrong-amount');
    expect(result.intents).toHaveLength(3);
  });

  it("flow parse shows the commands' ranking and each signal's reading, at any step", async () => {
    const { code, out } = await run([
      'flow',
      'parse',
      '--lang',
      'en',
      'can we go back one question',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(out) as {
      commands: Array<{ intent: string; p: number }>;
      signals: Record<string, { p: number; noticed?: string }>;
    };
    expect(result.commands[0]?.intent).toBe('back');
    expect(result.commands).toHaveLength(3);
    expect(result.signals['scam-pressure']?.noticed).toBeUndefined();
    const scam = await run(['flow', 'parse', '网上认识的大哥带我买币 说稳赚 现在取不出来']);
    const read = JSON.parse(scam.out) as typeof result;
    expect(read.signals['scam-pressure']?.p).toBeGreaterThan(0.5);
    expect(read.signals['scam-pressure']?.noticed).toBeTruthy();
  });

  it('a corpus without an nlu/ folder is named, exit 2', async () => {
    const { code, err } = await run(['flow', 'nlu-eval', '--corpus', tmp]);
    expect(code).toBe(2);
    expect(err).toContain('no nlu/ folder of labelled answers');
  });
});

describe('flow lint on examples', () => {
  it('warns on an example under two intents and on examples in one language only', () => {
    const text = [
      'id: ex',
      'start: pick',
      'steps:',
      '  pick:',
      '    type: choice',
      '    fact: kind',
      '    options:',
      '      - id: a',
      '        examples: { zh-CN: [转错了], en: [wrong one] }',
      '      - id: b',
      '        examples: { zh-CN: [转错了] }',
      '    next: end',
      '  end: { type: end }',
    ].join('\n');
    const problems = lintFlow({ flow: { file: 'ex.yaml', text }, locales: {} })
      .map(formatLintProblem)
      .filter((p) => p.includes('example'));
    expect(problems).toEqual([
      'ex.yaml:9:19: warning: "a" has too few examples (1 in zh-CN, 1 in en); at least 10 per language teach the classifier',
      'ex.yaml:11:19: warning: "b" has no examples in en',
      'ex.yaml:11:19: warning: "b" has too few examples (1 in zh-CN); at least 10 per language teach the classifier',
      'ex.yaml:11:19: warning: the example "转错了" is under both "a" and "b"',
    ]);
  });

  it('warns on a command example that is an answer, and on too few for a command or a signal', () => {
    const ten = (word: string) =>
      `[${Array.from({ length: 10 }, (_, i) => `${word}${i}`).join(', ')}]`;
    const text = [
      'id: ex',
      'start: pick',
      'interrupts:',
      '  - id: scam',
      '    phrases: { zh-CN: [手续费], en: [fee] }',
      '    confirm:',
      '      after: [kind]',
      '      fact: confirmed',
      '      to: end',
      '    examples:',
      `      signal: { zh-CN: [要我先交钱], en: ${ten('pay first ')} }`,
      `      none: { zh-CN: [转错了], en: [wrong one] }`,
      'commands:',
      '  examples:',
      `    back: { zh-CN: ${ten('回到上一题')}, en: [go back, wrong one] }`,
      'steps:',
      '  pick:',
      '    type: choice',
      '    fact: kind',
      '    options:',
      `      - { id: a, examples: { zh-CN: ${ten('转错了')}, en: [wrong one] } }`,
      '      - { id: b }',
      '    next: end',
      '  end: { type: end }',
    ].join('\n');
    const problems = lintFlow({ flow: { file: 'ex.yaml', text }, locales: {} })
      .map(formatLintProblem)
      .filter((p) => p.includes('example'));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"b" has no examples; the classifier knows it by its label alone'),
        expect.stringContaining('the example "wrong one" is under "back" and is an answer ("a")'),
        expect.stringContaining('"back" has too few examples (2 in en)'),
        expect.stringContaining('"signal" has too few examples (1 in zh-CN)'),
      ]),
    );
    // Negatives are as many as there are.
    expect(problems.some((p) => p.includes('"none" has too few'))).toBe(false);
  });
});

// What the readers reach on the dev half of test/corpus (nlu/ and the safety screens' answers),
// as `npm run flow -- nlu-eval` prints it; raised as the readers improve (docs/architecture.md).
const DEV_FLOORS = {
  choice: { understood: 82.0, misread: 1.0 },
  yesno: { understood: 83.0, misread: 2.0 },
  strict: { understood: 69.0, misread: 0.5 },
  /** Misreads of all answers but the screens' (choices and plain yes/no), in %. */
  nonScreenMisread: 1.0,
};

describe('flow nlu-eval on the corpus (dev half)', () => {
  it('holds the combined reader to its floors, the screens and the other steps apart', async () => {
    const { code, out } = await run(['flow', 'nlu-eval']);
    expect(code).toBe(0);
    const dev = out.slice(out.indexOf('== dev =='), out.indexOf('== test =='));
    const kind = (name: string) => {
      const m = new RegExp(`^ +combined ${name} +(\\d+) +([\\d.]+)% +([\\d.]+)%`, 'mu').exec(dev);
      expect(m, name).toBeTruthy();
      return { n: Number(m![1]), understood: Number(m![2]), misread: Number(m![3]) };
    };
    const read = { choice: kind('choice'), yesno: kind('yesno'), strict: kind('strict') };
    for (const k of ['choice', 'yesno', 'strict'] as const) {
      expect(read[k].understood, k).toBeGreaterThanOrEqual(DEV_FLOORS[k].understood);
      expect(read[k].misread, k).toBeLessThanOrEqual(DEV_FLOORS[k].misread);
    }
    const misread = (t: { n: number; misread: number }) => Math.round((t.n * t.misread) / 100);
    const nonScreen =
      (100 * (misread(read.choice) + misread(read.yesno))) / (read.choice.n + read.yesno.n);
    expect(nonScreen).toBeLessThanOrEqual(DEV_FLOORS.nonScreenMisread);
  }, 60_000);
});

describe('thresholds chosen on dev', () => {
  it("hold the classifier to the misreads it adds, not to the rules' own", async () => {
    const kit = await loadKit();
    // 「没删我」 the rules read as "no" (a misread no threshold can undo); 「微信还在」 they
    // leave unread and the classifier reads as yes. Held to ≤ 1% misread in all, yes/no
    // could never be taken from the classifier (1.01); held to what it adds, it is.
    const dev = [
      { step: 'ask-can-reach', intent: 'yes', lang: 'zh-CN', text: '没删我' },
      { step: 'ask-can-reach', intent: 'yes', lang: 'zh-CN', text: '微信还在' },
    ];
    const chosen = chooseThresholds(kit.flow, kit.translators, dev);
    expect(chosen.take.yesno).toBeLessThan(1.01);
    // A kind with no answers on dev is never taken.
    expect(chosen.take.strict).toBe(1.01);
  });
});
