import { access, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { instance as vizInstance } from '@viz-js/viz';
import { ConfigError, PACKAGE_ROOT, type FlowConfig as Config } from '../config.js';
import { LANGS, isLang, type Lang } from '../shared/types.js';
import { isRealDay, todayIn } from '../shared/calendar.js';
import { formatLintProblem, lintFlow, type SourceFile } from '../authoring/lint.js';
import { GRAPH_FORMATS, toDot, toMermaid, type GraphFormat } from '../authoring/graph-render.js';
import { formatTranscriptResult, runTranscript } from '../authoring/transcript.js';
import { funnel } from '../authoring/stats.js';
import { meaningReaders, parseMessage } from '../authoring/parse.js';
import { evaluateIntents, intentUtterances } from '../authoring/intent-eval.js';
import {
  chooseThresholds,
  kindTallies,
  tallyLine,
  evaluate,
  formatReports,
  half,
  utterancesOf,
  type Utterance,
} from '../authoring/nlu-eval.js';
import { features } from '../core/classify/index.js';
import { createStepClassifier } from '../core/classify/step-classifier.js';
import { THRESHOLDS } from '../core/classify/thresholds.js';
import { parse as parseYaml } from 'yaml';
import { createUnderstanding } from '../core/understand.js';
import { reachableSteps, stepsWithoutWayToEnd } from '../flow/graph.js';
import { FlowLoadError } from '../flow/problems.js';
import { pathGraph } from '../flow/paths.js';
import { flowJsonSchema } from '../flow/schema.js';
import { withConditionReference } from '../authoring/condition-docs.js';
import { createLogger } from '../log.js';
import { createRuntime } from '../runtime.js';
import { createMemoryStore } from '../store/memory.js';
import { createSessionFileStore } from '../store/session-files.js';
import { listTranscripts, loadTranscript } from '../adapters/files/transcripts.js';
import {
  flowLocation,
  flowPaths,
  flowsDirOf,
  loadFlowFile,
  loadFlowSet,
  readFlowSources,
} from '../adapters/files/flow-files.js';
import { createEngine } from '../core/engine.js';
import type { CompiledFlow } from '../flow/compile.js';
import type { Session } from '../core/session.js';

type Say = (line: string) => void;

/** Each command's usage, shown by `npm run flow -- <command> --help` and on a wrong option. */
const COMMANDS: Record<string, string> = {
  lint: `lint [flows…]                              every problem, as file:line:column: severity: message
                                             (a flow is a folder such as flows/reward-code-recovery, or a .yaml file)`,
  graph: `graph [flow] [--lang zh-CN|en] [--format svg|mermaid|dot] [--out file]`,
  paths: `paths [flow]                               count and check every path from start to an end`,
  test: `test [transcripts…]                        run golden transcripts (default test/transcripts/*.yaml)`,
  stats: `stats                                      a funnel per step from the stored sessions (counts only)`,
  parse: `parse --lang zh-CN|en [--step STEP] [--today YYYY-MM-DD] TEXT
                                             what a message says, as one JSON line {facts, unclear,
                                             intents: the step's classifier ranking with scores,
                                             commands: the commands' ranking, signals: each
                                             signal's probability and the words it names};
                                             --batch reads JSON lines {lang, step?, text, today?}`,
  'nlu-eval': `nlu-eval [--corpus DIR]                    rules vs classifier vs both on held-out answers
                                             (test/corpus/nlu/*.yaml and the safety corpus's screen answers;
                                             nlu-heldout/*.yaml each measured whole; intents/commands.yaml
                                             and intents/scam-signal.yaml as their own steps)`,
  check: `check                                      load the flow and its words as the chat does`,
  schema: `schema                                     regenerate flows/flow.schema.json and flow-part.schema.json`,
};
const FLOW_OPTION = `--flow ID                                  graph, paths, test and stats: another flow in flows/`;
const USAGE = `usage: npm run flow -- <command>\n${Object.values(COMMANDS)
  .map((line) => `  ${line}`)
  .join('\n')}\n  ${FLOW_OPTION}`;

/** Where the toolkit prints and reads (`process` in `npm run flow`, streams in tests). */
export interface FlowIo {
  print(text: string): void;
  input: Readable;
}

const processIo: FlowIo = {
  print: (text) => void process.stdout.write(text),
  input: process.stdin,
};

/** `npm run flow -- …`: the flow author's toolkit. Returns the exit code. */
export async function flowCommand(config: Config, io: FlowIo = processIo): Promise<number> {
  const say = (line: string) => io.print(`${line}\n`);
  const { flowId, rest: argv } = takeFlowOption(config.args.slice(1));
  const [sub = ''] = config.args;
  const usage = COMMANDS[sub];
  if (!usage) throw new ConfigError(USAGE);
  if (argv.includes('--help') || argv.includes('-h')) {
    say(`usage: npm run flow -- ${usage}`);
    if (['graph', 'paths', 'test', 'stats'].includes(sub)) say(`  ${FLOW_OPTION}`);
    return 0;
  }
  try {
    return await run(sub, config, argv, say, io, flowId);
  } catch (error) {
    // A wrong option is the author's typo, not a crash: say which, and how the command is used.
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS_'))
      throw new ConfigError(`${(error as Error).message}\nusage: npm run flow -- ${usage}`);
    throw error;
  }
}

function run(
  sub: string,
  config: Config,
  argv: string[],
  say: Say,
  io: FlowIo,
  flowId: string | undefined,
): Promise<number> {
  switch (sub) {
    case 'lint':
      return lint(config, argv, say);
    case 'graph':
      return graph(config, argv, say, io, flowId);
    case 'paths':
      return paths(config, argv, say, flowId);
    case 'test':
      return test(config, argv, say, flowId);
    case 'stats':
      return stats(config, say, flowId);
    case 'check':
      return check(config, say);
    case 'parse':
      return parse(config, argv, say, io);
    case 'nlu-eval':
      return nluEval(config, argv, say);
    default:
      return schema(config, say);
  }
}

/** A file or folder named on the command line, refused clearly when it is not there. */
async function existing(path: string): Promise<string> {
  const full = resolve(path);
  await access(full).catch(() => {
    throw new ConfigError(`no such file or folder: ${path}`);
  });
  return full;
}

/** A quiet runtime on a memory store: the toolkit never touches users' data unless asked. */
function runtimeFor(config: Config, flowFile = config.flowFile) {
  return createRuntime({
    ...config,
    flowFile,
    log: createLogger('silent'),
    store: createMemoryStore(),
  });
}

async function readLocaleSources(
  dir: string,
): Promise<Partial<Record<Lang, Record<string, SourceFile>>>> {
  const out: Partial<Record<Lang, Record<string, SourceFile>>> = {};
  for (const lang of LANGS) {
    out[lang] = {};
    const files = await readdir(join(dir, lang)).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.json'))) {
      const path = join(dir, lang, file);
      out[lang][file.slice(0, -5)] = {
        file: relative(process.cwd(), path),
        text: await readFile(path, 'utf8'),
      };
    }
  }
  return out;
}

async function lint(config: Config, files: string[], say: Say): Promise<number> {
  // By default every flow beside the start flow (files and folders), as the chat loads them.
  const flows =
    files.length > 0
      ? await Promise.all(files.map(existing))
      : await flowPaths(await flowsDirOf(config.flowFile));
  const locales = await readLocaleSources(config.localesDir);
  let errors = 0;
  let warnings = 0;
  for (const path of flows) {
    const { folder } = await flowLocation(path);
    const sources = await readFlowSources(path).catch(() => {
      throw new ConfigError(`cannot read ${path}`);
    });
    const [first] = sources;
    const flow = folder || !first ? sources : first;
    const problems = lintFlow({ flow, locales });
    for (const p of problems) say(formatLintProblem(p));
    errors += problems.filter((p) => p.severity === 'error').length;
    warnings += problems.filter((p) => p.severity === 'warning').length;
  }
  // What only the flows together show (a hand-over to a missing flow, a ring of hand-overs),
  // as the chat checks it at start-up.
  if (files.length === 0 && errors === 0) {
    try {
      await loadFlowSet(config.flowFile);
    } catch (error) {
      if (!(error instanceof FlowLoadError)) throw error;
      for (const p of error.problems) say(formatLintProblem({ ...p, severity: 'error' }));
      errors += error.problems.length;
    }
  }
  say(`${errors} errors, ${warnings} warnings`);
  return errors > 0 ? 1 : 0;
}

async function graph(
  config: Config,
  argv: string[],
  say: Say,
  io: FlowIo,
  flowId: string | undefined,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      lang: { type: 'string', default: 'zh-CN' },
      format: { type: 'string', default: 'svg' },
      out: { type: 'string' },
    },
  });
  const lang = values.lang;
  const format = values.format as GraphFormat;
  if (!isLang(lang)) throw new ConfigError(`--lang must be one of: ${LANGS.join(', ')}`);
  if (!GRAPH_FORMATS.includes(format))
    throw new ConfigError(`--format must be one of: ${GRAPH_FORMATS.join(', ')}`);
  const runtime = await runtimeFor(
    config,
    positionals[0] ? await existing(positionals[0]) : undefined,
  );
  const t = runtime.translators(lang);
  const definition = chooseFlow(runtime.flows, flowId).definition;
  const dot = toDot(definition, t);
  const output =
    format === 'mermaid'
      ? toMermaid(definition, t)
      : format === 'dot'
        ? dot
        : (await vizInstance()).renderString(dot, { format: 'svg' });
  if (values.out) {
    await writeFile(values.out, output);
    say(`wrote ${values.out}`);
  } else io.print(output);
  return 0;
}

async function paths(
  config: Config,
  argv: string[],
  say: Say,
  flowId: string | undefined,
): Promise<number> {
  // Only the flow's shape matters here, not its words.
  const flow = flowId
    ? chooseFlow((await loadFlowSet(config.flowFile)).flows, flowId)
    : await loadFlowFile(argv[0] ? await existing(argv[0]) : config.flowFile);
  const definition = flow.definition;
  const reachable = reachableSteps(definition);
  const unreached = Object.keys(definition.steps).filter((id) => !reachable.has(id));
  if (unreached.length > 0) say(`not reachable: ${unreached.join(', ')}`);
  const stuck = stepsWithoutWayToEnd(definition).filter((id) => reachable.has(id));
  if (stuck.length > 0) {
    say(`cannot reach an end: ${stuck.join(', ')}`);
    return 1;
  }
  // Counted on the graph of shared suffixes, never path by path: 20 yes/no questions in a row
  // are 3^20 paths, which no walk of every path finishes.
  const graph = pathGraph(flow, todayIn(new Date()));
  const longest = graph.longest() ?? { steps: [], answers: [], end: '' };
  say(`${graph.count} paths from "${definition.start}" to an end`);
  for (const [end, count] of graph.ends()) say(`  ${end}: ${count}`);
  say(`longest: ${longest.steps.length} steps, ${longest.answers.length} answers`);
  say(`  ${longest.steps.join(' → ')}`);
  return 0;
}

async function test(
  config: Config,
  files: string[],
  say: Say,
  flowId: string | undefined,
): Promise<number> {
  const runtime = await runtimeFor(config);
  // --flow: the transcripts start in that flow instead of the start flow.
  const engine = flowId
    ? createEngine(
        runtime.flows,
        runtime.translators,
        chooseFlow(runtime.flows, flowId).definition.id,
      )
    : runtime.engine;
  const list =
    files.length > 0
      ? await Promise.all(files.map(existing))
      : // The package's own transcripts, wherever the command is run from.
        await listTranscripts(join(PACKAGE_ROOT, 'test/transcripts'));
  let failed = 0;
  for (const file of list) {
    const name = relative(process.cwd(), file);
    const result = runTranscript(engine, await loadTranscript(file));
    if (result.ok) say(`PASS ${name}`);
    else {
      failed++;
      say(formatTranscriptResult(name, result));
    }
  }
  say(`${list.length - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

async function stats(config: Config, say: Say, flowId: string | undefined): Promise<number> {
  const runtime = await runtimeFor(config);
  const flow = chooseFlow(runtime.flows, flowId);
  const store = config.storeUrl
    ? (
        await (
          await import('../store/redis.js')
        ).connectRedis({
          url: config.storeUrl,
          prefix: config.storePrefix,
          retentionMs: config.retentionDays * 86_400_000,
          flood: false,
          log: createLogger('silent'),
        })
      ).store
    : // Read-only: counts beside a running bot, which holds the directory's lock.
      await createSessionFileStore(config.dataDir, createLogger('silent'), { readOnly: true });
  // Each flow's sessions counted against that flow's steps.
  const result = await funnel(
    flow.definition,
    ofFlow(store.list?.() ?? emptyList(), flow.definition.id),
  );
  await store.close?.();
  say(`${result.total} conversations, ${result.finished} reached an end`);
  say(['step'.padEnd(28), 'reached', 'stopped here', 'unclear answers'].join('  '));
  for (const s of result.steps) {
    say(
      [
        s.step.padEnd(28),
        String(s.reached).padStart(7),
        String(s.stoppedHere).padStart(12),
        String(s.unclearAnswers).padStart(15),
      ].join('  '),
    );
  }
  return 0;
}

async function parse(config: Config, argv: string[], say: Say, io: FlowIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      lang: { type: 'string', default: 'zh-CN' },
      step: { type: 'string' },
      today: { type: 'string' },
      batch: { type: 'boolean', default: false },
    },
  });
  const runtime = await runtimeFor(config);
  const understanding = createUnderstanding(runtime.flow, runtime.translators);
  const classifier = createStepClassifier(runtime.flow, runtime.translators);
  const readers = meaningReaders(runtime.flow);
  const one = (input: { lang?: unknown; step?: unknown; text?: unknown; today?: unknown }) => {
    if (typeof input.text !== 'string') return { error: 'text must be a string' };
    if (input.lang !== undefined && !isLang(input.lang))
      return { error: `unknown language "${String(input.lang)}"` };
    const step = typeof input.step === 'string' ? input.step : undefined;
    if (step !== undefined && !runtime.flow.step(step)) return { error: `unknown step "${step}"` };
    const today = typeof input.today === 'string' ? input.today : todayIn(new Date());
    // A real calendar day: 2026-99-99 matches the pattern but is no date (red-team m31).
    if (!/^\d{4}-\d{2}-\d{2}$/.test(today) || !isRealDay(today))
      return { error: `--today must be a real day as YYYY-MM-DD, not "${today}"` };
    return parseMessage(
      runtime.flow,
      understanding,
      step,
      input.text,
      today,
      classifier.rank,
      readers,
    );
  };
  if (!values.batch) {
    const result = one({
      lang: values.lang,
      step: values.step,
      text: positionals.join(' '),
      today: values.today,
    });
    say(JSON.stringify(result));
    return 'error' in result ? 2 : 0;
  }
  let failed = false;
  const lines = createInterface({ input: io.input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let input: unknown;
    try {
      input = JSON.parse(line);
    } catch {
      input = undefined;
    }
    const result = input && typeof input === 'object' ? one(input) : { error: 'not a JSON object' };
    if ('error' in result) failed = true;
    say(JSON.stringify(result));
  }
  return failed ? 2 : 0;
}

// The safety corpus's screen answers, labelled by each story's screen (yes when it applies).
const SCREENS = {
  asked: 'urgent-check',
  offer: 'screen-offer',
  promise: 'screen-promise',
} as const;

async function nluEval(config: Config, argv: string[], say: Say): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { corpus: { type: 'string', default: join(PACKAGE_ROOT, 'test/corpus') } },
  });
  const dir = await existing(values.corpus);
  const utterances: Utterance[] = [];
  const nluDir = join(dir, 'nlu');
  const names = await readdir(nluDir).catch(() => {
    throw new ConfigError(`no nlu/ folder of labelled answers in ${values.corpus}`);
  });
  for (const name of names.filter((f) => f.endsWith('.yaml')).sort())
    utterances.push(...utterancesOf(parseYaml(await readFile(join(nluDir, name), 'utf8'))));
  const fromNlu = utterances.length;
  for (const name of ['scam.yaml', 'honest.yaml']) {
    const path = join(dir, 'safety', name);
    const items = (parseYaml(await readFile(path, 'utf8').catch(() => '[]')) ?? []) as Array<{
      lang: string;
      screen: string[];
      answers: Record<string, string>;
    }>;
    for (const item of items)
      for (const [screen, step] of Object.entries(SCREENS))
        if (item.answers?.[screen])
          utterances.push({
            step,
            intent: item.screen.includes(screen) ? 'yes' : 'no',
            lang: item.lang,
            text: item.answers[screen],
          });
  }
  const runtime = await runtimeFor(config);
  const { flow, translators } = runtime;
  const known = utterances.filter((u) => flow.step(u.step));
  const dev = known.filter((u) => half(u) === 'dev');
  const test = known.filter((u) => half(u) === 'test');
  // How many held-out answers are also, word for word, a training example.
  const trained = new Set(
    Object.values(flow.definition.steps).flatMap((step) => {
      const ex = 'examples' in step ? step.examples : undefined;
      const options = step.type === 'choice' ? step.options.map((o) => o.examples) : [];
      return [ex, ...options].flatMap((e) =>
        Object.values(e ?? {}).flatMap((v) =>
          Array.isArray(v) ? v : Object.values(v ?? {}).flat(),
        ),
      );
    }),
  );
  const seen = known.filter((u) => trained.has(u.text)).length;
  say(
    `nlu-eval: ${known.length} utterances (${fromNlu} from nlu/, ${known.length - fromNlu} screen answers from safety/; ${seen} are also examples), dev ${dev.length}, test ${test.length}`,
  );
  let started = performance.now();
  const classifier = createStepClassifier(flow, translators);
  const stepIds = [...new Set(known.map((u) => u.step))];
  for (const id of stepIds) classifier.rank(id, '');
  const trainMs = performance.now() - started;
  // Warm (as a running service is): the third pass over the corpus is timed.
  let perMessage = 0;
  for (let pass = 0; pass < 3; pass++) {
    started = performance.now();
    for (const u of known) classifier.rank(u.step, u.text);
    perMessage = ((performance.now() - started) * 1000) / known.length;
  }
  say(
    `classifier: ${stepIds.length} steps trained in ${trainMs.toFixed(0)} ms; ${perMessage.toFixed(1)} µs a reading (${features('测试 test').length} features in 「测试 test」)`,
  );
  const chosen = chooseThresholds(flow, translators, dev);
  say(
    `thresholds chosen on dev (misread ≤ 1%): ${JSON.stringify(chosen)}; in use (thresholds.ts): ${JSON.stringify(THRESHOLDS)}`,
  );
  for (const [name, part] of [
    ['dev', dev],
    ['test', test],
  ] as const) {
    const reports = [
      evaluate(flow, translators, part, 'rules'),
      evaluate(flow, translators, part, 'classifier'),
      evaluate(flow, translators, part, 'combined'),
    ];
    say(`\n== ${name} ==`);
    const lines = formatReports(reports, reports[2]!);
    for (const line of name === 'dev' ? lines.slice(0, 5) : lines.slice(0, 4)) say(line);
    for (const report of reports)
      for (const [kind, t] of [...kindTallies(flow, report)].sort())
        say(tallyLine(`  ${report.name} ${kind}`, t));
    if (name === 'test') for (const line of lines.slice(4)) say(line);
  }
  // Sets written later and held out whole (no half is tuned on): measured as they are.
  const wholeDir = join(dir, 'nlu-heldout');
  for (const name of (await readdir(wholeDir).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const whole = utterancesOf(parseYaml(await readFile(join(wholeDir, name), 'utf8'))).filter(
      (u) => flow.step(u.step),
    );
    const reports = (['rules', 'classifier', 'combined'] as const).map((reader) =>
      evaluate(flow, translators, whole, reader),
    );
    say(`\n== nlu-heldout/${name} (${whole.length} utterances, held out whole) ==`);
    const lines = formatReports(reports, reports[2]!);
    for (const line of lines.slice(0, 4)) say(line);
    for (const report of reports)
      for (const [kind, t] of [...kindTallies(flow, report)].sort())
        say(tallyLine(`  ${report.name} ${kind}`, t));
  }
  // What is read at every step (commands, the signal): held out whole, nothing chosen on it.
  const intentsDir = join(dir, 'intents');
  // commands.yaml and *signal.yaml are read at every step; other files (corrections) are not.
  const files = (await readdir(intentsDir).catch(() => [] as string[]))
    .filter((f) => f === 'commands.yaml' || f.endsWith('signal.yaml'))
    .sort();
  const held: Utterance[] = [];
  for (const file of files)
    held.push(
      ...intentUtterances(
        file.replace(/\.yaml$/, ''),
        parseYaml(await readFile(join(intentsDir, file), 'utf8')),
      ),
    );
  if (held.length > 0) {
    const reports = (['rules', 'classifier', 'combined'] as const).map((reader) =>
      evaluateIntents(flow, held, reader),
    );
    say(`\n== intents/ (${held.length} utterances, at every step: ${files.join(', ')}) ==`);
    for (const line of formatReports(reports, reports[2]!)) say(line);
  }
  return 0;
}

async function check(config: Config, say: Say): Promise<number> {
  const runtime = await runtimeFor(config);
  say(
    `${runtime.flow.definition.id}: ${Object.keys(runtime.flow.definition.steps).length} steps, no problems`,
  );
  return 0;
}

/** Both editor schemas, beside the flows wherever the command is run from. */
async function schema(config: Config, say: Say): Promise<number> {
  const dir = await flowsDirOf(config.flowFile);
  for (const [name, kind] of [
    ['flow.schema.json', 'main'],
    ['flow-part.schema.json', 'part'],
  ] as const) {
    const out = join(dir, name);
    await writeFile(out, `${JSON.stringify(flowJsonSchema(kind), null, 2)}\n`);
    say(`wrote ${relative(process.cwd(), out) || out}`);
  }
  // The authors' guide lists the conditions from the same table.
  const guide = join(PACKAGE_ROOT, 'docs/authoring-flows.md');
  const text = await readFile(guide, 'utf8').catch(() => undefined);
  if (text !== undefined && withConditionReference(text) !== text) {
    await writeFile(guide, withConditionReference(text));
    say(`wrote ${relative(process.cwd(), guide) || guide}`);
  }
  return 0;
}

async function* emptyList(): AsyncIterable<never> {}

async function* ofFlow(sessions: AsyncIterable<Session>, id: string): AsyncIterable<Session> {
  for await (const session of sessions) if (session.flowId === id) yield session;
}

/** `--flow ID` anywhere in the arguments, and the arguments without it. */
function takeFlowOption(argv: string[]): { flowId: string | undefined; rest: string[] } {
  const at = argv.findIndex((a) => a === '--flow' || a.startsWith('--flow='));
  if (at < 0) return { flowId: undefined, rest: argv };
  const arg = argv[at] ?? '';
  const inline = arg.startsWith('--flow=') ? arg.slice('--flow='.length) : undefined;
  const flowId = inline ?? argv[at + 1];
  if (!flowId) throw new ConfigError('--flow needs a flow id');
  return {
    flowId,
    rest: argv.filter((_, i) => i !== at && (inline !== undefined || i !== at + 1)),
  };
}

/** The flow with this id (the start flow when none is asked for). */
function chooseFlow(flows: readonly CompiledFlow[], id: string | undefined): CompiledFlow {
  const flow = id ? flows.find((f) => f.definition.id === id) : flows[0];
  if (!flow)
    throw new ConfigError(
      `--flow ${id ?? ''}: no such flow; flows: ${flows.map((f) => f.definition.id).join(', ')}`,
    );
  return flow;
}
