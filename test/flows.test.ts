import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { repliesText } from '../src/core/replies.js';
import { silentLogger } from '../src/log.js';
import { createRuntime } from '../src/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';
import { FlowLoadError } from '../src/flow/load.js';
import { LOCALES_DIR, ROOT, storedSession } from './helpers.js';

const FIXTURE = join(ROOT, 'test/fixtures/handover');
let tmp: string;
let locales: string;
let flows: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'zhuihui-flows-'));
  // The fixture's own words beside the shared common words, as a deployment would have them.
  locales = join(tmp, 'locales');
  flows = join(tmp, 'flows');
  await cp(join(FIXTURE, 'locales'), locales, { recursive: true });
  await cp(join(FIXTURE, 'flows'), flows, { recursive: true });
  for (const lang of ['zh-CN', 'en'])
    await cp(join(LOCALES_DIR, lang, 'common.json'), join(locales, lang, 'common.json'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const runtime = () =>
  createRuntime({
    flowFile: join(flows, 'start.yaml'),
    localesDir: locales,
    dataDir: '',
    store: createMemoryStore(),
    log: silentLogger,
    clock: () => new Date('2026-11-28T04:00:00Z'),
    flood: false,
  });

describe('several flows', () => {
  it.each([
    [
      'zh-CN',
      '你好',
      '五百块',
      '小王',
      ['付了多少钱', '接下来是第二个指南', '收款人叫什么', '记好了：小王'],
    ],
    [
      'en',
      'hello',
      '500',
      'Wang',
      [
        'How much did you pay',
        'Now the second guide',
        'what is the recipient called',
        'Noted: Wang',
      ],
    ],
  ])(
    '%s: a hand-over moves the conversation to the other flow, with its own words, keeping the facts',
    async (lang, hi, amount, name, words) => {
      const r = await runtime();
      expect(r.flows.map((f) => f.definition.id).sort()).toEqual([
        'fixture-second',
        'fixture-start',
      ]);
      const said = [
        repliesText((await r.service.handle({ userId: 'u', text: hi })).replies),
        repliesText((await r.service.handle({ userId: 'u', text: amount })).replies),
      ];
      const moved = await storedSession(r.store, 'u');
      expect(moved?.flowId).toBe('fixture-second');
      expect(moved?.stepId).toBe('ask-name');
      expect(moved?.facts.amount).toBe(500);
      said.push(repliesText((await r.service.handle({ userId: 'u', text: name })).replies));
      const all = said.join('\n');
      for (const w of words) expect(all).toContain(w);
      expect(all).toMatch(/500/);
      const done = await storedSession(r.store, 'u');
      expect(done).toMatchObject({ flowId: 'fixture-second', stepId: 'done' });
      // The case file in the second flow labels the amount with the first flow's words.
      const summary = repliesText(
        (await r.service.handle({ userId: 'u', text: lang === 'en' ? 'summary' : '摘要' })).replies,
      );
      expect(summary).toContain(lang === 'en' ? 'Amount' : '金额');
      expect(summary).not.toContain('facts.');
      // A returning user stays in the flow the session records.
      expect(repliesText((await r.service.resume('u'))?.replies ?? [])).toContain(words[3] ?? '');
    },
  );

  it('a hand-over to a flow that is not there stops start-up with the file and line', async () => {
    await writeFile(
      join(flows, 'start.yaml'),
      'id: fixture-start\nstart: ask-amount\nsteps:\n  ask-amount:\n    type: input\n    input: money\n    fact: amount\n    next: to-second\n  to-second:\n    type: end\n    handover: nowhere\n',
    );
    const error = await runtime().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowLoadError);
    expect(String((error as Error).message)).toMatch(
      /start\.yaml:11:1: step "to-second" hands over to flow "nowhere"/,
    );
  });

  it('a broken flow beside the start flow stops start-up too (every flow file is loaded and checked)', async () => {
    await writeFile(
      join(flows, 'third.yaml'),
      'id: third\nstart: missing\nsteps:\n  a: { type: end }\n',
    );
    const error = await runtime().catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/third\.yaml:2:8: unknown step "missing"/);
  });

  it('the flow tools take --flow ID: graph, paths, test and stats of the second flow', async () => {
    const env = {
      FLOW_FILE: join(flows, 'start.yaml'),
      LOCALES_DIR: locales,
      DATA_DIR: join(tmp, 'data'),
    };
    const cli = async (args: string[]) => {
      const output = new PassThrough();
      let out = '';
      output.on('data', (d: Buffer) => (out += d.toString()));
      let err = '';
      const code = await runCli(args, env, {
        input: Readable.from([]),
        output,
        error: (t) => (err += t),
        interactive: false,
        privateFiles: false,
      });
      return { code, out, err };
    };
    const paths = await cli(['flow', 'paths', '--flow', 'fixture-second']);
    expect(paths.out).toContain('paths from "ask-name" to an end');
    const graph = await cli([
      'flow',
      'graph',
      '--flow',
      'fixture-second',
      '--format',
      'mermaid',
      '--lang',
      'en',
    ]);
    expect(graph.out).toContain('Second guide');
    expect(graph.out).not.toContain('How much');
    const transcript = join(tmp, 'second.yaml');
    await writeFile(
      transcript,
      'lang: en\nturns:\n  - user: hi\n    step: ask-name\n  - user: Wang\n    expect: ["Noted: Wang"]\n    step: done\n',
    );
    const test = await cli(['flow', 'test', '--flow', 'fixture-second', transcript]);
    expect(test.out).toContain('1 passed, 0 failed');
    expect(test.code).toBe(0);
    // Two conversations, one handed over to the second flow: each flow counts its own.
    const chat = async (user: string, lines: string[]) => {
      const output = new PassThrough();
      output.resume();
      await runCli(['chat', '--user', user], env, {
        input: Readable.from(lines.map((l) => `${l}\n`)),
        output,
        error: () => undefined,
        interactive: false,
        privateFiles: false,
      });
    };
    await chat('a', ['hello', '500']);
    await chat('b', ['hello']);
    const second = await cli(['flow', 'stats', '--flow', 'fixture-second']);
    expect(second.out).toContain('1 conversations');
    const first = await cli(['flow', 'stats']);
    expect(first.out).toContain('1 conversations');
    const unknown = await cli(['flow', 'paths', '--flow', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('flows: fixture-start, fixture-second');
  });
});

describe('engine mechanics across a hand-over (fixture content, not the shipped words)', () => {
  it('"back" cannot reach into the previous flow; "start over" goes back to the start flow', async () => {
    const r = await runtime();
    await r.service.handle({ userId: 'm', text: 'hello' });
    await r.service.handle({ userId: 'm', text: '500' });
    const back = repliesText((await r.service.handle({ userId: 'm', text: 'back' })).replies);
    expect(back).toContain('what is the recipient called');
    expect((await storedSession(r.store, 'm'))?.flowId).toBe('fixture-second');
    const again = repliesText(
      (await r.service.handle({ userId: 'm', text: 'start over' })).replies,
    );
    expect(again).toContain('How much did you pay');
    expect(await storedSession(r.store, 'm')).toMatchObject({
      flowId: 'fixture-start',
      stepId: 'ask-amount',
    });
  });
});

describe('corrections across a hand-over', () => {
  it('"the amount was 50" in the second flow changes the fact the first flow asked, and comes back', async () => {
    const r = await runtime();
    await r.service.handle({ userId: 'c', text: 'hello' });
    await r.service.handle({ userId: 'c', text: '500' });
    const replies = repliesText(
      (await r.service.handle({ userId: 'c', text: 'the amount was 50' })).replies,
    );
    const after = await storedSession(r.store, 'c');
    expect(after?.facts.amount).toBe(50);
    // Not taken as the recipient's name, and back at the second flow's question.
    expect(after?.facts.name).toBeUndefined();
    expect(after).toMatchObject({ flowId: 'fixture-second', stepId: 'ask-name' });
    expect(replies).toContain('what is the recipient called');
  });
});

describe('engine mechanics on fixture content', () => {
  it('reads an amount back, re-prompts with the reason, and after three unclear answers shows the question with help', async () => {
    const r = await runtime();
    await r.service.handle({ userId: 'e', text: 'hello' });
    const unclear = repliesText((await r.service.handle({ userId: 'e', text: 'a lot' })).replies);
    expect(unclear).toContain("couldn't read that amount");
    await r.service.handle({ userId: 'e', text: 'banana' });
    const stuck = repliesText((await r.service.handle({ userId: 'e', text: 'hmm' })).replies);
    expect(stuck).toContain('This step seems hard to answer');
    expect(stuck).toContain('How much did you pay');
    const noted = repliesText((await r.service.handle({ userId: 'e', text: '¥1,200' })).replies);
    expect(noted).toContain('Noted: CN¥1,200');
    expect(noted).toContain('what is the recipient called');
  });

  it('a story in the first message fills what it states, and that question is skipped', async () => {
    const r = await runtime();
    const first = repliesText(
      (
        await r.service.handle({
          userId: 's',
          text: 'I paid 300 yuan to the wrong person yesterday',
        })
      ).replies,
    );
    expect(first).toContain('CN¥300');
    expect(first).not.toContain('How much did you pay');
    expect(await storedSession(r.store, 's')).toMatchObject({
      flowId: 'fixture-second',
      stepId: 'ask-name',
      facts: { amount: 300 },
    });
  });

  it('"forget" erases the conversation, whichever flow it is in', async () => {
    const r = await runtime();
    await r.service.handle({ userId: 'f', text: 'hello' });
    await r.service.handle({ userId: 'f', text: '500' });
    await r.service.handle({ userId: 'f', text: 'forget me' });
    expect(repliesText((await r.service.handle({ userId: 'f', text: 'yes' })).replies)).toContain(
      'Erased',
    );
    expect(await storedSession(r.store, 'f')).toBeUndefined();
  });
});
