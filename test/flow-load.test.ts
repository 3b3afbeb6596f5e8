import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowLoadError, parseFlow } from '../src/flow/load.js';
import { loadFlowFile } from '../src/adapters/files/flow-files.js';
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
