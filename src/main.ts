import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runConsole } from './adapters/console/repl.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { FlowLoadError } from './flow/load.js';
import { flowJsonSchema } from './flow/schema.js';
import { createLogger } from './log.js';
import { createRuntime } from './runtime.js';

/** Composition root: reads config, wires adapters around the core, dispatches the command. */
async function main(): Promise<number> {
  const config = loadConfig(process.argv.slice(2), process.env);
  switch (config.command) {
    case 'flow':
      return flowCommand(config);
    case 'bot':
      return bot(config);
    case 'chat':
      return chat(config);
  }
}

async function chat(config: Config): Promise<number> {
  const log = createLogger(config.logLevel);
  const runtime = await createRuntime({ ...config, log });
  await runConsole({
    service: runtime.service,
    translators: runtime.translators,
    input: process.stdin,
    output: process.stdout,
    userId: config.userId,
    lang: config.lang,
    interactive: Boolean(process.stdin.isTTY),
  });
  return 0;
}

async function bot(config: Config): Promise<number> {
  const log = createLogger(config.logLevel === 'warn' ? 'info' : config.logLevel);
  const runtime = await createRuntime({ ...config, log });
  // Loaded only for this command: wechaty is heavy and the console chat does not need it.
  const { buildBot, runBot } = await import('./adapters/wechaty/bot.js');
  const { bot: wechaty, assistant } = buildBot(config, runtime, log);
  return runBot(wechaty, assistant, log);
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
    const runtime = await createRuntime({ ...config, log: createLogger('silent') });
    console.log(`${runtime.flow.definition.id}: ${Object.keys(runtime.flow.definition.steps).length} steps, no problems`);
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
