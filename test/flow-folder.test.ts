import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { convertToFolder } from '../src/authoring/convert-folder.js';
import { loadFlowFile, loadFlowSet } from '../src/adapters/files/flow-files.js';
import { FlowLoadError, parseFlow } from '../src/flow/load.js';
import { parseFlowFolder } from '../src/flow/folder.js';
import { inlineWords } from '../src/flow/keys.js';
import { formatLintProblem, lintFlow } from '../src/authoring/lint.js';
import { ROOT } from './helpers.js';

const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof FlowLoadError) return error.message.split('\n');
    throw error;
  }
  return [];
};

const MAIN = `id: tiny
start: ask
facts:
  amount: { zh-CN: 金额, en: Amount }
`;
const PART = `steps:
  ask:
    type: input
    text:
      zh-CN: 你付了多少钱？
      en: How much did you pay?
    input: money
    fact: amount
    next: done
  done:
    type: end
    text:
      zh-CN: |-
        好的，{{amount}}。
        就这些。
      en: |-
        Thanks, {{amount}}.
        That is all.
`;

describe('a flow folder', () => {
  it('is one flow: steps from every file, the words of each language as its namespace', () => {
    const flow = parseFlowFolder([
      { file: 'tiny/flow.yaml', text: MAIN },
      { file: 'tiny/steps.yaml', text: PART },
    ]);
    expect(Object.keys(flow.steps)).toEqual(['ask', 'done']);
    expect(inlineWords(flow)).toEqual({
      'zh-CN': {
        facts: { amount: '金额' },
        steps: {
          ask: { prompt: '你付了多少钱？' },
          done: { prompt: '好的，{{amount}}。\n就这些。' },
        },
      },
      en: {
        facts: { amount: 'Amount' },
        steps: {
          ask: { prompt: 'How much did you pay?' },
          done: { prompt: 'Thanks, {{amount}}.\nThat is all.' },
        },
      },
    });
  });

  it('names the file and line of a text in one language only, and of a step with no words', () => {
    const part = PART.replace('      en: How much did you pay?\n', '').replace(
      / {4}text:\n {6}zh-CN: \|-\n(.*\n){2} {6}en: \|-\n(.*\n){2}/,
      '',
    );
    expect(
      problemsOf(() =>
        parseFlowFolder([
          { file: 'tiny/flow.yaml', text: MAIN },
          { file: 'tiny/steps.yaml', text: part },
        ]),
      ),
    ).toEqual([
      'tiny/steps.yaml:5:7: words in zh-CN only: add en',
      'tiny/steps.yaml:10:5: no words for "steps.done.prompt": add text with zh-CN and en',
    ]);
  });

  it('locates a wrong reference in the file of its step, and a step written twice', () => {
    const wrong = PART.replace('next: done', 'next: nowhere');
    expect(
      problemsOf(() =>
        parseFlowFolder([
          { file: 'tiny/flow.yaml', text: MAIN },
          { file: 'tiny/steps.yaml', text: wrong },
        ]),
      ),
    ).toEqual(['tiny/steps.yaml:9:11: unknown step "nowhere"']);
    expect(
      problemsOf(() =>
        parseFlowFolder([
          { file: 'tiny/flow.yaml', text: MAIN },
          { file: 'tiny/a.yaml', text: PART },
          { file: 'tiny/b.yaml', text: PART },
        ]),
      ),
    ).toEqual([
      'tiny/b.yaml:3:5: step "ask" is also written in tiny/a.yaml',
      'tiny/b.yaml:11:5: step "done" is also written in tiny/a.yaml',
    ]);
  });

  it('refuses a part file with anything but steps, at its line', () => {
    expect(
      problemsOf(() =>
        parseFlowFolder([
          { file: 'tiny/flow.yaml', text: MAIN },
          { file: 'tiny/steps.yaml', text: `start: ask\n${PART}` },
        ]),
      ),
    ).toEqual(['tiny/steps.yaml:1:1: unknown field "start"']);
  });

  it('loads from disk by its folder or its flow.yaml, with flows beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhuihui-folder-'));
    await mkdir(join(dir, 'tiny'));
    await writeFile(join(dir, 'tiny', 'flow.yaml'), MAIN);
    await writeFile(join(dir, 'tiny', 'steps.yaml'), PART);
    const byFolder = await loadFlowFile(join(dir, 'tiny'));
    const byFile = await loadFlowFile(join(dir, 'tiny', 'flow.yaml'));
    expect(byFile.hash).toBe(byFolder.hash);
    expect(Object.keys(byFolder.definition.steps)).toEqual(['ask', 'done']);
    const set = await loadFlowSet(join(dir, 'tiny'));
    expect(set.flows.map((f) => f.definition.id)).toEqual(['tiny']);
  });
});

describe('the converter from a flow file and its locale files', () => {
  it('writes a folder that loads to the same flow and the same words', async () => {
    const base = resolve(ROOT, 'test/fixtures/handover');
    const flowText = await readFile(join(base, 'flows/start.yaml'), 'utf8');
    const words = {
      en: JSON.parse(await readFile(join(base, 'locales/en/fixture-start.json'), 'utf8')),
      'zh-CN': JSON.parse(await readFile(join(base, 'locales/zh-CN/fixture-start.json'), 'utf8')),
    };
    const files = convertToFolder({
      flowText,
      words,
      partOf: (step) => (step === 'ask-amount' ? 'flow' : 'ends'),
    });
    expect(files.map((f) => f.name)).toEqual(['flow', 'ends']);
    expect(files[0]?.text).toContain('# A two-flow fixture');
    const folder = parseFlowFolder(files.map((f) => ({ file: `${f.name}.yaml`, text: f.text })));
    const strip = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(strip)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([k]) => !['text', 'facts', 'words'].includes(k))
                .map(([k, x]) => [k, strip(x)]),
            )
          : v;
    expect(isDeepStrictEqual(strip(folder), strip(parseFlow(flowText, 'start.yaml')))).toBe(true);
    expect(inlineWords(folder)).toEqual(words);
  });

  it('writes out an alias whose anchor lands in another file', () => {
    const flowText = `id: al
start: a
steps:
  a:
    type: input
    input: yesno
    fact: x
    next:
      - when: &known { factKnown: { fact: x } }
        to: b
      - to: b
  b:
    type: message
    next:
      - when: *known
        to: c
      - to: c
  c:
    type: end
`;
    const words = {
      en: {
        facts: { x: 'X' },
        steps: { a: { prompt: 'A?' }, b: { prompt: 'B' }, c: { prompt: 'C' } },
      },
      'zh-CN': {
        facts: { x: '甲' },
        steps: { a: { prompt: '甲？' }, b: { prompt: '乙' }, c: { prompt: '丙' } },
      },
    };
    const files = convertToFolder({
      flowText,
      words,
      partOf: (s) => (s === 'a' ? 'flow' : 'rest'),
    });
    expect(files[1]?.text).not.toContain('*known');
    const folder = parseFlowFolder(files.map((f) => ({ file: `${f.name}.yaml`, text: f.text })));
    expect(folder.steps.b).toEqual({
      type: 'message',
      text: { 'zh-CN': '乙', en: 'B' },
      next: [{ when: { factKnown: { fact: 'x' } }, to: 'c' }, { to: 'c' }],
    });
  });
});

describe('flow lint on a folder', () => {
  it('names the file and line of a text in one language, and of a placeholder no fact fills', () => {
    const part = PART.replace('      en: How much did you pay?\n', '');
    const problems = lintFlow({
      flow: [
        { file: 'tiny/flow.yaml', text: MAIN },
        { file: 'tiny/steps.yaml', text: part },
      ],
      locales: {},
    }).map(formatLintProblem);
    expect(problems).toContain('tiny/steps.yaml:5:7: error: words in zh-CN only: add en');
    const typo = PART.replace('Thanks, {{amount}}.', 'Thanks, {{amont}}.');
    const later = lintFlow({
      flow: [
        { file: 'tiny/flow.yaml', text: MAIN },
        { file: 'tiny/steps.yaml', text: typo },
      ],
      locales: {},
    }).map(formatLintProblem);
    expect(later).toContain(
      'tiny/steps.yaml:16:11: error: unknown placeholder {{amont}}: no fact has that name',
    );
  });
});
