import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLintProblem, lintFlow } from '../src/authoring/lint.js';
import { ROOT } from './helpers.js';
import { runCli } from '../src/cli.js';
import { PassThrough, Readable } from 'node:stream';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'zhuihui-tools-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/**
 * A command as `npm run flow` / `npm start` runs it, in this process: the same entry point as
 * main.ts (runCli), with piped text in and what it prints out. The --watch test below and the
 * console tests keep real child processes for what only a process shows.
 */
async function run(args: string[], env: Record<string, string> = {}, stdin = '') {
  const output = new PassThrough();
  let out = '';
  let err = '';
  output.on('data', (d: Buffer) => (out += d.toString()));
  const code = await runCli(
    args,
    { DATA_DIR: join(tmp, 'data'), ...env },
    {
      input: Readable.from(stdin === '' ? [] : [stdin]),
      output,
      error: (text) => (err += text),
      interactive: false,
      privateFiles: false,
    },
  );
  return { code, out, err };
}

const localeSources = (entries: Record<string, unknown>) => ({
  'zh-CN': {
    common: { file: 'c.zh.json', text: '{"a": "x"}' },
    broken: { file: 'locales/zh-CN/broken.json', text: JSON.stringify(entries['zh-CN'], null, 2) },
  },
  en: {
    common: { file: 'c.en.json', text: '{"a": "x"}' },
    broken: { file: 'locales/en/broken.json', text: JSON.stringify(entries.en, null, 2) },
  },
});

describe('flow lint', () => {
  it('a fact asked about only with factKnown (at any depth) is no "may not be set" warning', () => {
    const flow = (when: string) =>
      [
        'id: known',
        'start: pick',
        'steps:',
        '  pick:',
        '    type: choice',
        '    fact: kind',
        '    options: [{ id: a, next: ask }, { id: b, next: done }]',
        '  ask:',
        '    type: input',
        '    input: yesno',
        '    fact: several',
        '    next: done',
        '  done:',
        '    type: input',
        '    input: text',
        '    fact: name',
        '    next:',
        `      - when: ${when}`,
        '        to: ask',
        '      - to: end',
        '  end: { type: end }',
      ].join('\n');
    const warnings = (when: string) =>
      lintFlow({ flow: { file: 'known.yaml', text: flow(when) }, locales: {} })
        .map(formatLintProblem)
        .filter((p) => p.includes('may not be set'));
    expect(warnings('{ all: [{ not: { factKnown: { fact: several } } }] }')).toEqual([]);
    expect(warnings('{ factEquals: { fact: several, value: true } }')).toHaveLength(1);
  });

  it('a fact guarded by factKnown in the same "all", or by the branch that leads to a text, is not "maybe unset"', () => {
    const flow = [
      'id: guarded',
      'start: pick',
      'steps:',
      '  pick:',
      '    type: choice',
      '    fact: kind',
      '    options: [{ id: a, next: ask }, { id: b, next: route }]',
      '  ask:',
      '    type: input',
      '    input: date',
      '    fact: last',
      '    next: route',
      '  route:',
      '    type: message',
      '    next:',
      '      - when: { all: [{ factKnown: { fact: last } }, { daysSinceMoreThan: { fact: last, days: 90 } }] }',
      '        to: shows',
      '      - when: { factEquals: { fact: kind, value: b } }',
      '        to: unguarded',
      '      - to: end',
      '  shows: { type: message, next: end }',
      '  unguarded: { type: message, next: end }',
      '  end: { type: end }',
    ].join('\n');
    const words = {
      facts: { kind: 'k', last: 'l' },
      steps: {
        pick: { prompt: 'p', options: { a: 'A', b: 'B' } },
        ask: { prompt: 'when?' },
        route: { prompt: 'r' },
        shows: { prompt: 'by {{lastPlus90Days}}' },
        unguarded: { prompt: 'by {{lastPlus90Days}}' },
        end: { prompt: 'e' },
      },
    };
    const problems = lintFlow({
      flow: { file: 'guarded.yaml', text: flow },
      locales: {
        'zh-CN': {
          common: { file: 'c.zh.json', text: '{"a": "x"}' },
          guarded: { file: 'locales/zh-CN/guarded.json', text: JSON.stringify(words, null, 2) },
        },
        en: {
          common: { file: 'c.en.json', text: '{"a": "x"}' },
          guarded: { file: 'locales/en/guarded.json', text: JSON.stringify(words, null, 2) },
        },
      },
    }).map(formatLintProblem);
    expect(problems.filter((p) => p.includes('may not be set'))).toEqual([]);
    const unfilled = problems.filter((p) => p.includes('may be shown unfilled'));
    expect(unfilled).toHaveLength(2);
    expect(unfilled.every((p) => p.includes('"unguarded"'))).toBe(true);
  });

  it('finds every kind of problem at once, each located', async () => {
    const text = await readFile(join(ROOT, 'test/fixtures/lint/broken.yaml'), 'utf8');
    const words = (lang: string) => ({
      facts: { kind: 'k', amount: 'a', late: 'l' },
      steps: {
        pick: { prompt: 'p', options: { a: 'A', b: 'B' } },
        ask: { prompt: lang === 'en' ? 'How much? {{amount}}' : '多少？{{amont}}' },
        loop: { prompt: 'l' },
        orphan: { prompt: 'o' },
        ...(lang === 'en' ? { done: { prompt: 'done' } } : {}),
        gone: { prompt: 'unused' },
      },
    });
    const problems = lintFlow({
      flow: { file: 'test/fixtures/lint/broken.yaml', text },
      locales: localeSources({ 'zh-CN': words('zh-CN'), en: words('en') }),
    }).map(formatLintProblem);
    expect(problems).toEqual(
      expect.arrayContaining([
        'test/fixtures/lint/broken.yaml:11:9: error: "苹果" belongs to both option "a" and option "b"',
        'test/fixtures/lint/broken.yaml:19:15: error: fact "late" is read here, but no step before this one sets it',
        'test/fixtures/lint/broken.yaml:23:5: error: step "loop" has no way to an end step: a user here could never finish',
        'test/fixtures/lint/broken.yaml:26:5: error: step "orphan" cannot be reached from the start',
        expect.stringMatching(
          /^locales\/zh-CN\/broken\.json:\d+:\d+: error: missing key "steps\.done\.prompt" in zh-CN$/,
        ),
        expect.stringMatching(
          /^locales\/zh-CN\/broken\.json:\d+:\d+: warning: unused key "steps\.gone\.prompt": no step uses it$/,
        ),
        expect.stringMatching(
          /^locales\/en\/broken\.json:\d+:\d+: error: placeholders differ from zh-CN/,
        ),
        expect.stringMatching(
          /^locales\/zh-CN\/broken\.json:\d+:\d+: error: unknown placeholder \{\{amont\}\}/,
        ),
        'test/fixtures/lint/broken.yaml:30:9: warning: end step "done" has no evidence checklist ($t(broken:plan.evidence))',
      ]),
    );
  });

  it('passes the recovery flow with no errors, and fails a broken one with exit 1', async () => {
    const good = await run(['flow', 'lint']);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/^0 errors, \d+ warnings$/m);
    const bad = await run(['flow', 'lint', 'test/fixtures/lint/broken.yaml']);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(
      'test/fixtures/lint/broken.yaml:23:5: error: step "loop" has no way to an end step',
    );
  });
});

describe('flow graph, paths, test', () => {
  it('draws the tree as Mermaid, DOT and SVG in either language', async () => {
    const mermaid = await run(['flow', 'graph', '--format', 'mermaid', '--lang', 'en']);
    expect(mermaid.code).toBe(0);
    expect(mermaid.out).toMatch(/^flowchart TD/);
    expect(mermaid.out).toContain('How did the money go');
    expect(mermaid.out).not.toContain('steps.by-kind.prompt');
    expect(mermaid.out).toContain(':::end');
    expect(mermaid.out).toContain('scam-pressure (any step)');
    const dot = await run(['flow', 'graph', '--format', 'dot']);
    expect(dot.out).toContain(
      '"payment-kind" -> "screen-offer" [label="7. 付给商家（买东西或服务）"]',
    );
    const out = join(tmp, 'tree.svg');
    const svg = await run(['flow', 'graph', '--out', out]);
    expect(svg.code).toBe(0);
    expect(await readFile(out, 'utf8')).toMatch(/<svg[\s\S]*end&#45;scam/);
  });

  it('counts the paths and fails a flow where a step cannot reach an end', async () => {
    const good = await run(['flow', 'paths']);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/^\d+ paths from "welcome" to an end/);
    expect(good.out).toMatch(/longest: \d+ steps/);
    const flow = join(tmp, 'stuck.yaml');
    await writeFile(
      flow,
      'id: reward-code-recovery\nstart: a\nsteps:\n  a: { type: input, input: yesno, fact: x, next: [ { when: { factEquals: { fact: x, value: true } }, to: b }, { to: c } ] }\n  b: { type: message, next: b }\n  c: { type: end }\n',
    );
    // Refused at load, as the chat would refuse it, with the place to fix.
    const bad = await run(['flow', 'paths', flow]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/stuck\.yaml:\d+:\d+: step "b" can never reach an end step/);
  });

  it('counts 18 yes/no questions in a row (3^18 paths) without walking each path (red-team m29)', async () => {
    const n = 18;
    const lines = ['id: many', 'start: q0', 'steps:'];
    // Each offers "not sure" (its routing names it), so each has three answers.
    for (let i = 0; i < n; i++) {
      const to = i + 1 < n ? `q${i + 1}` : 'done';
      lines.push(
        `  q${i}: { type: input, input: yesno, fact: f${i}, next: [{ when: { factIn: { fact: f${i}, values: [unsure] } }, to: ${to} }, { to: ${to} }] }`,
      );
    }
    lines.push('  done: { type: end }', '');
    const flow = join(tmp, 'many.yaml');
    await writeFile(flow, lines.join('\n'));
    // Walking the 387,420,489 paths one by one (as before) took minutes, past the test timeout.
    const result = await run(['flow', 'paths', flow]);
    expect(result.code).toBe(0);
    expect(result.out.split('\n').slice(0, 3)).toEqual([
      `${3 ** n} paths from "q0" to an end`,
      `  done: ${3 ** n}`,
      `longest: ${n + 1} steps, ${n} answers`,
    ]);
  });

  it('lint refuses flows that hand over to each other (red-team m28)', async () => {
    const dir = join(tmp, 'flows');
    await mkdir(dir);
    const words = '{ zh-CN: 好的, en: ok }';
    const end = (to: string) => [`  end: { type: end, text: ${words}, handover: ${to} }`];
    await writeFile(
      join(dir, 'ring-a.yaml'),
      [
        'id: ring-a',
        'start: hi',
        'steps:',
        `  hi: { type: message, text: ${words}, next: end }`,
        ...end('ring-b'),
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'ring-b.yaml'),
      [
        'id: ring-b',
        'start: hi',
        'steps:',
        `  hi: { type: message, text: ${words}, next: end }`,
        ...end('ring-a'),
        '',
      ].join('\n'),
    );
    const lint = await run(['flow', 'lint'], { FLOW_FILE: join(dir, 'ring-a.yaml') });
    expect(lint.code).toBe(1);
    expect(lint.out).toMatch(
      /ring-a\.yaml:5:1: error: flows "ring-a" → "ring-b" → "ring-a" hand over in a ring/,
    );
  });

  it('runs transcripts and shows a failure with the conversation', async () => {
    const ok = await run(['flow', 'test']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^\d+ passed, 0 failed$/m);
    const file = join(tmp, 'bad.yaml');
    await writeFile(file, 'turns:\n  - user: 你好\n  - user: 不是\n    expect: [这不会出现]\n');
    const bad = await run(['flow', 'test', file]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('>> ✗ expected the reply to contain 这不会出现');
    expect(bad.out).toContain('0 passed, 1 failed');
  });
});

describe('console authoring options', () => {
  it('--record writes a transcript that flow test replays', async () => {
    const file = join(tmp, 'case.yaml');
    const r = await run(['--record', file, '--lang', 'en'], {}, 'hi\nno\n3\nno\nno\n');
    expect(r.code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('step: end-transfer-pending');
    // It holds what the user typed: owner-only, like the sessions.
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const replay = await run(['flow', 'test', file]);
    expect(replay.code).toBe(0);
    expect(replay.out).toContain('1 passed, 0 failed');
  });

  it('--at starts at a step with facts', async () => {
    const r = await run(
      [
        '--at',
        'b-unjust-start',
        '--fact',
        'paidOn=2026-11-20',
        '--fact',
        'amount=500',
        '--fact',
        'canReach=no',
        '--fact',
        'situation=wrong-recipient',
        '--lang',
        'en',
      ],
      {},
      '',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('unjust enrichment');
    expect(r.out).toContain('November 20, 2029');
    expect(r.out).toContain('Call WeChat Pay customer service at 95017');
    const bad = await run(['--at', 'b-unjust-start', '--fact', 'amount=lots']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--fact amount=lots: not a valid value for step "ask-amount"');
  });

  it('flow stats counts conversations per step, never their words', async () => {
    await run(['--user', 'a'], {}, '你好\n不是\n香蕉\n1\n没有\n没有\n');
    await run(['--user', 'b'], {}, 'hi\nno\n3\nno\nno\n');
    const r = await run(['flow', 'stats']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('2 conversations, 1 reached an end');
    expect(r.out).toMatch(/payment-kind\s+2\s+0\s+1/);
    expect(r.out).toMatch(/what-happened\s+1\s+1\s+0/);
    expect(r.out).not.toContain('香蕉');
  });

  it('--watch reloads changed words and keeps the conversation', async () => {
    const flows = join(tmp, 'flows');
    const locales = join(tmp, 'locales');
    await cp(join(ROOT, 'flows'), flows, { recursive: true });
    await cp(join(ROOT, 'locales'), locales, { recursive: true });
    const env = {
      ...process.env,
      DATA_DIR: join(tmp, 'data'),
      FLOW_FILE: join(flows, 'reward-code-recovery'),
      LOCALES_DIR: locales,
    };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', '--watch', '--lang', 'en'],
      { cwd: ROOT, env },
    );
    let out = '';
    const waitFor = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => out.includes(text) && resolve();
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          check();
        });
        check();
      });
    child.stdin.write('hi\n');
    await waitFor('is anyone asking you right now');
    // The words are beside the step, in the branch's file.
    const file = join(flows, 'reward-code-recovery', 'start.yaml');
    const text = await readFile(file, 'utf8');
    const question =
      'How did the money go? (If someone sent money to you, choose the second-to-last option)';
    expect(text).toContain(question);
    await writeFile(file, text.replace(question, 'HOW DID YOU PAY (edited)?'));
    await waitFor('still exists, so the conversation goes on');
    child.stdin.write('no\n');
    await waitFor('HOW DID YOU PAY (edited)?');
    child.stdin.end();
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
  });
});

describe('flow commands, as an author types them', () => {
  it('every command answers --help with its own usage, exit 0', async () => {
    for (const command of ['lint', 'graph', 'paths', 'test', 'stats', 'parse', 'check', 'schema']) {
      const { code, out } = await run(['flow', command, '--help']);
      expect(code, command).toBe(0);
      expect(out, command).toMatch(new RegExp(`^usage: npm run flow -- ${command}\\b`));
    }
  });

  it('a wrong option or a missing file is named, with the usage, exit 2 (no "unexpected error")', async () => {
    const wrong = await run(['flow', 'parse', '--bogus', '你好']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("Unknown option '--bogus'");
    expect(wrong.err).toContain('usage: npm run flow -- parse');
    expect(wrong.err).not.toContain('unexpected');
    const missing = await run(['flow', 'paths', 'no-such-flow']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no such file or folder: no-such-flow');
  });

  it('flow test finds the package transcripts from another directory', async () => {
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      const { code, out } = await run(['flow', 'test']);
      expect(code).toBe(0);
      expect(out).toMatch(/\d+ passed, 0 failed/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('flow parse --today', () => {
  it('a day that does not exist is refused with the reason, exit 2; other batch lines still read (m31)', async () => {
    const one = await run(['flow', 'parse', '--lang', 'zh-CN', '--today', '2026-99-99', '昨天']);
    expect(one.code).toBe(2);
    expect(one.out).toContain('--today must be a real day');
    const batch = await run(
      ['flow', 'parse', '--batch'],
      {},
      [
        JSON.stringify({ lang: 'zh-CN', text: '昨天', today: '2026-02-30' }),
        JSON.stringify({ lang: 'zh-CN', step: 'ask-date', text: '昨天', today: '2026-11-28' }),
      ].join('\n') + '\n',
    );
    const lines = batch.out.trim().split('\n');
    expect(batch.code).toBe(2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('--today must be a real day');
    expect(lines[1]).toContain('2026-11-27');
  });
});
