import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runConsole } from './adapters/console/repl.js';
import { assertFlowWords, loadFlowFile, loadLocales } from './adapters/files/flow-files.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createConversationService } from './core/conversation.js';
import { createEngine } from './core/engine.js';
import { FlowLoadError } from './flow/load.js';
import { flowJsonSchema } from './flow/schema.js';
import { createTranslators } from './i18n/index.js';
import { createLogger } from './log.js';
import { createLowdbStore } from './store/lowdb.js';

/** Composition root: reads config, wires adapters around the core, dispatches the command. */
async function main(): Promise<number> {
  const config = loadConfig(process.argv.slice(2), process.env);
  if (config.command === 'flow') return flowCommand(config);
  return chat(config);
}

async function chat(config: Config): Promise<number> {
  const log = createLogger(config.logLevel);
  const flow = await loadFlowFile(config.flowFile);
  const resources = await loadLocales(config.localesDir);
  assertFlowWords(flow, resources, config.localesDir);
  const translators = createTranslators(resources);
  const store = await createLowdbStore(config.dataDir, log);
  const service = createConversationService(createEngine(flow, translators), store, () => new Date());
  await runConsole({
    service,
    translators,
    input: process.stdin,
    output: process.stdout,
    userId: config.userId,
    lang: config.lang,
    interactive: Boolean(process.stdin.isTTY),
  });
  return 0;
}

async function flowCommand(config: Config): Promise<number> {
  const [sub] = config.args;
  if (sub === 'schema') {
    const out = resolve('flows/flow.schema.json');
    await writeFile(out, `${JSON.stringify(flowJsonSchema(), null, 2)}\n`);
    console.log(`wrote ${out}`);
    return 0;
  }
  if (sub === 'check') {
    const flow = await loadFlowFile(config.flowFile);
    assertFlowWords(flow, await loadLocales(config.localesDir), config.localesDir);
    console.log(`${flow.definition.id}: ${Object.keys(flow.definition.steps).length} steps, no problems`);
    return 0;
  }
  throw new ConfigError('usage: npm run flow -- schema | check');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // One boundary for expected failures: a clear message and exit 2, never a stack trace.
    if (error instanceof FlowLoadError || error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 2;
      return;
    }
    console.error('zhuihui: unexpected error:', error instanceof Error ? error.message : error);
    if (process.env.LOG_LEVEL === 'debug') console.error(error);
    process.exitCode = 1;
  },
);
