import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkedFlow, FlowLoadError, parseFlow } from '../src/flow/load.js';
import { compileFlow } from '../src/flow/compile.js';
import type { FlowDefinition } from '../src/flow/schema.js';
import { formatLintProblem, lintFlow } from '../src/authoring/lint.js';
import { loadFlowFile, loadFlowSet } from '../src/adapters/files/flow-files.js';
import { inlineWords, unfinishedWords } from '../src/flow/keys.js';
import { ROOT } from './helpers.js';

const fixture = async (name: string) => {
  const file = `test/fixtures/flows/${name}.yaml`;
  return { file, text: await readFile(resolve(ROOT, file), 'utf8') };
};

async function problemsOf(name: string): Promise<string[]> {
  const { file, text } = await fixture(name);
  try {
    parseFlow(text, file);
  } catch (error) {
    if (error instanceof FlowLoadError) return error.message.split('\n');
    throw error;
  }
  throw new Error(`${name} loaded without problems`);
}

describe('flow loading', () => {
  it('loads a valid flow', async () => {
    const { file, text } = await fixture('good');
    expect(Object.keys(parseFlow(text, file).steps)).toEqual(['ask', 'big', 'small']);
  });

  it('reports an unknown step with its position', async () => {
    expect(await problemsOf('unknown-step')).toEqual([
      'test/fixtures/flows/unknown-step.yaml:8:11: unknown step "nowhere"',
    ]);
  });

  it('an alias used before its anchor is a located problem, not a crash', async () => {
    expect(await problemsOf('alias-before-anchor')).toEqual([
      'test/fixtures/flows/alias-before-anchor.yaml:8:11: *later is used before &later is set: move the step with &later above this one, or write the list out here',
    ]);
  });

  it('refuses a notice without a fact: nothing would remember that it was shown', async () => {
    expect(await problemsOf('notice-without-fact')).toEqual([
      'test/fixtures/flows/notice-without-fact.yaml:5:13: a notice needs a `fact` to be shown only once',
    ]);
  });

  it('reports an unknown condition and lists the known ones', async () => {
    expect(await problemsOf('unknown-condition')).toEqual([
      'test/fixtures/flows/unknown-condition.yaml:9:15: steps.ask.next.0.when: unknown condition; use one of: factEquals, factIn, factKnown, atLeast, below, daysSinceAtMost, daysSinceMoreThan, yearsSinceMoreThan, all, any, not',
    ]);
  });

  it('reports duplicate step ids', async () => {
    expect(await problemsOf('duplicate-ids')).toEqual([
      'test/fixtures/flows/duplicate-ids.yaml:11:3: duplicate id: this key appears twice in the same map',
    ]);
  });

  it('reports duplicate option ids', async () => {
    const { file, text } = await fixture('duplicate-ids');
    const withoutDuplicateStep = text.replace(/\n {2}done: \{ type: end \}\n$/, '\n');
    expect(() => parseFlow(withoutDuplicateStep, file)).toThrow(
      'test/fixtures/flows/duplicate-ids.yaml:9:13: duplicate option id "a"',
    );
  });

  it('reports wrong fields and values together', async () => {
    expect(await problemsOf('wrong-field')).toEqual([
      'test/fixtures/flows/wrong-field.yaml:5:5: steps.ask: missing field "next"',
      'test/fixtures/flows/wrong-field.yaml:5:5: steps.ask: unknown field "nxt"',
      'test/fixtures/flows/wrong-field.yaml:6:12: steps.ask.input: Invalid option: expected one of "money"|"date"|"yesno"|"text"',
    ]);
  });

  it('reports every cross-reference problem at once', async () => {
    expect(await problemsOf('many-problems')).toEqual([
      'test/fixtures/flows/many-problems.yaml:2:8: unknown step "missing"',
      'test/fixtures/flows/many-problems.yaml:9:9: the last entry of next must have no "when", so the conversation can always go on',
      'test/fixtures/flows/many-problems.yaml:9:15: unknown fact "amonut": no step sets it',
    ]);
  });

  it('reports YAML syntax errors with their position', async () => {
    const problems = await problemsOf('not-yaml');
    expect(problems[0]).toMatch(/^test\/fixtures\/flows\/not-yaml\.yaml:\d+:\d+: YAML syntax: /);
  });

  it('the shipped flow folder loads, every text in both languages', async () => {
    const flow = await loadFlowFile(resolve(ROOT, 'flows/reward-code-recovery'));
    expect(flow.definition.id).toBe('reward-code-recovery');
    expect(unfinishedWords(flow.definition)).toEqual([]);
    expect(Object.keys(inlineWords(flow.definition).en)).toEqual(
      expect.arrayContaining(['steps', 'facts', 'plan', 'phrases', 'caseFile', 'interrupts']),
    );
  });
});

describe('flows/flow.schema.json and flow-part.schema.json', () => {
  it('are the schemas the code validates with (regenerate with `npm run flow -- schema`)', async () => {
    const { flowJsonSchema } = await import('../src/flow/schema.js');
    const read = async (name: string) =>
      JSON.parse(await readFile(resolve(ROOT, 'flows', name), 'utf8'));
    expect(await read('flow.schema.json')).toEqual(flowJsonSchema('main'));
    expect(await read('flow-part.schema.json')).toEqual(flowJsonSchema('part'));
  });
});

describe('fact names', () => {
  it('refuses a name JavaScript objects already have (red-team m27), at its line', () => {
    const text = [
      'id: proto',
      'start: ask',
      'steps:',
      '  ask:',
      '    type: input',
      '    input: text',
      '    fact: constructor',
      '    next: done',
      '  done:',
      '    type: end',
    ].join('\n');
    let message = '';
    try {
      parseFlow(text, 'proto.yaml');
    } catch (error) {
      if (!(error instanceof FlowLoadError)) throw error;
      message = error.message;
    }
    expect(message).toMatch(/^proto\.yaml:7:\d+: .*belongs to JavaScript objects/);
  });
});

describe('loops that never ask (red-team m28)', () => {
  const words = '{ zh-CN: 好的, en: ok }';
  const flow = (waitNext: string[]) =>
    [
      'id: spin',
      'start: ask',
      'facts:',
      `  paid: ${words}`,
      'steps:',
      '  ask:',
      '    type: input',
      '    input: yesno',
      '    fact: paid',
      `    text: ${words}`,
      '    next: wait',
      '  wait:',
      '    type: message',
      `    text: ${words}`,
      ...waitNext,
      '  again:',
      '    type: message',
      `    text: ${words}`,
      '    next: wait',
      `  done: { type: end, text: ${words} }`,
    ].join('\n');
  // "wait" goes round through "again" for as long as the user has not paid: a message sets no
  // fact, so that is forever (the engine walked 100 steps of it on every message).
  const spinning = flow([
    '    next:',
    '      - when: { factEquals: { fact: paid, value: false } }',
    '        to: again',
    '      - to: done',
  ]);

  it('refuses message steps that go round until a fact holds, at the first step of the loop', () => {
    let message = '';
    try {
      parseFlow(spinning, 'spin.yaml');
    } catch (error) {
      if (!(error instanceof FlowLoadError)) throw error;
      message = error.message;
    }
    expect(message).toBe(
      'spin.yaml:13:5: steps "wait" → "again" → "wait" loop without a question: a message sets no fact, so a conversation that comes here goes round forever; lead one of them to a question or an end',
    );
  });

  it('lint reports it as an error at the same line', () => {
    const problems = lintFlow({ flow: { file: 'spin.yaml', text: spinning }, locales: {} });
    const inFlow = problems.filter((p) => p.severity === 'error' && p.file === 'spin.yaml');
    expect(inFlow.map(formatLintProblem)).toEqual([
      expect.stringMatching(/^spin\.yaml:13:5: error: steps "wait" → "again" → "wait" loop/),
    ]);
  });

  it('a step that leads to itself is a loop too; a loop through a question is not', () => {
    const self = flow([
      '    next: [{ when: { factKnown: { fact: paid } }, to: wait }, { to: done }]',
    ]);
    expect(() => parseFlow(self, 'self.yaml')).toThrow(/steps "wait" → "wait" loop/);
    // Back to the question: the user is asked, so the conversation waits for them.
    const asking = flow([
      '    next: [{ when: { factEquals: { fact: paid, value: false } }, to: ask }, { to: done }]',
    ]);
    expect(Object.keys(parseFlow(asking, 'asking.yaml').steps)).toContain('again');
  });
});

describe('hand-overs in a ring (red-team m28)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zhuihui-ring-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const words = '{ zh-CN: 好的, en: ok }';
  const write = async (name: string, lines: string[]) =>
    writeFile(join(dir, `${name}.yaml`), [...lines, ''].join('\n'));

  it('refuses two flows that hand over to each other, at the hand-over line', async () => {
    await write('ring-a', [
      'id: ring-a',
      'start: ask',
      'facts:',
      `  sure: ${words}`,
      'steps:',
      `  ask: { type: input, input: yesno, fact: sure, text: ${words}, next: to-b }`,
      '  to-b:',
      '    type: end',
      `    text: ${words}`,
      '    handover: ring-b',
    ]);
    await write('ring-b', [
      'id: ring-b',
      'start: note',
      'steps:',
      `  note: { type: message, text: ${words}, next: to-a }`,
      '  to-a:',
      '    type: end',
      `    text: ${words}`,
      '    handover: ring-a',
    ]);
    const problems = await loadFlowSet(join(dir, 'ring-a.yaml')).then(
      () => [],
      (error: unknown) => (error instanceof FlowLoadError ? error.message.split('\n') : [error]),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /ring-a\.yaml:10:1: flows "ring-a" → "ring-b" → "ring-a" hand over in a ring \(at step "to-b"\)/,
      ),
    ]);
  });
});

describe('loading time (red-team m39)', () => {
  /** A chain: a yes/no screen (the escalation's intake), n message steps, an end. */
  const chain = (n: number): FlowDefinition => {
    const steps: FlowDefinition['steps'] = {
      s0: {
        type: 'input',
        input: 'yesno',
        fact: 'danger',
        text: { 'zh-CN': '好', en: 'ok' },
        next: 's1',
      },
      done: { type: 'end', text: { 'zh-CN': '完', en: 'done' } },
      safe: { type: 'end', text: { 'zh-CN': '完', en: 'done' } },
    };
    for (let i = 1; i < n; i++)
      steps[`s${i}`] = {
        type: 'message',
        text: { 'zh-CN': '好', en: 'ok' },
        next: i + 1 < n ? `s${i + 1}` : 'done',
      };
    return {
      id: 'chain',
      start: 's0',
      facts: { danger: { 'zh-CN': '危险', en: 'danger' } },
      escalate: {
        when: { factEquals: { fact: 'danger', value: true } },
        to: 's0',
        intake: ['s0'],
        end: 'safe',
      },
      steps,
    } as FlowDefinition;
  };

  /** How often the loader and the compiler read a step, or the list of steps. */
  const reads = (n: number): number => {
    let count = 0;
    const counted = <T extends object>(target: T): T =>
      new Proxy(target, {
        get: (t, key, receiver) => {
          count++;
          return Reflect.get(t, key, receiver) as unknown;
        },
        ownKeys: (t) => {
          count++;
          return Reflect.ownKeys(t);
        },
      });
    const flow = chain(n);
    const steps = counted(
      Object.fromEntries(Object.entries(flow.steps).map(([id, s]) => [id, counted(s)])),
    );
    const definition = { ...flow, steps };
    const locate = (_: unknown, message: string) => ({ file: 'x', line: 1, column: 1, message });
    compileFlow(checkedFlow(definition, locate), 'hash');
    return count;
  };

  it('grows with the number of steps, not its square (4,000 steps)', () => {
    const small = reads(1000);
    const large = reads(4000);
    // Linear: about 4 times the reads for 4 times the steps (it was 16 times and more).
    expect(large / small).toBeLessThan(5);
    expect(large / small).toBeGreaterThan(3);
  });
});
