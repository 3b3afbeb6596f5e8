import { runConsole } from './adapters/console/repl.js';
import { watchFlow } from './adapters/console/watch.js';
import { loadConfig, type Config } from './config.js';
import { ExpectedError } from './shared/errors.js';
import { flowCommand } from './adapters/cli/flow-command.js';
import { createLogger } from './log.js';
import { createRuntime } from './runtime.js';

/** Composition root: reads config, wires adapters around the core, dispatches the command. */
async function main(): Promise<number> {
  loadDotEnv();
  const config = loadConfig(process.argv.slice(2), process.env);
  // Everything these commands write (sessions, Wechaty's login memory card, recorded
  // transcripts) is about people's money: readable by the owner only (red-team m16).
  if (config.command !== 'flow') process.umask(0o077);
  switch (config.command) {
    case 'flow':
      return flowCommand(config);
    case 'bot':
      return bot(config);
    case 'chat':
      return chat(config);
    case 'serve':
      return serve(config);
  }
}

async function chat(config: Config): Promise<number> {
  const log = createLogger(config.logLevel ?? 'warn');
  // The console's only user is the operator: no flood limit, so long piped scripts work.
  const options = { ...config, log, flood: false as const };
  const runtime = await createRuntime(options);
  // A recording starts a fresh conversation, so the transcript replays from its first line.
  const userId = config.record ? `recording-${Date.now()}` : config.userId;
  const say = (text: string) => process.stdout.write(`${text}\n\n`);
  const stopWatching = config.watch ? watchFlow(options, runtime, userId, say) : undefined;
  const stopRetention = runtime.startRetention(config.retentionDays, config.retentionSweepHours);
  try {
    await runConsole({
      service: runtime.service,
      translators: runtime.translators,
      input: process.stdin,
      output: process.stdout,
      userId,
      lang: config.lang,
      interactive: Boolean(process.stdin.isTTY),
      ...(config.record ? { record: config.record } : {}),
      ...(config.at ? { at: { step: config.at, facts: config.facts } } : {}),
    });
  } finally {
    stopWatching?.();
    stopRetention();
    await runtime.close();
  }
  return 0;
}

async function bot(config: Config): Promise<number> {
  const log = createLogger(config.logLevel ?? 'info');
  const runtime = await createRuntime({ ...config, log });
  runtime.startRetention(config.retentionDays, config.retentionSweepHours);
  // Loaded only for this command: wechaty is heavy and the console chat does not need it.
  const { buildBot, runBot } = await import('./adapters/wechaty/bot.js');
  const { bot: wechaty, assistant } = buildBot(config, runtime, log);
  try {
    return await runBot(wechaty, assistant, log);
  } finally {
    await runtime.close();
  }
}

async function serve(config: Config): Promise<number> {
  const oa = config.oa;
  if (!oa) throw new Error('serve without its settings');
  const log = createLogger(config.logLevel ?? 'info');
  const runtime = await createRuntime({ ...config, log });
  runtime.startRetention(config.retentionDays, config.retentionSweepHours);
  const { createOaHandler, listen } = await import('./adapters/oa/server.js');
  const { createOaApi } = await import('./adapters/oa/api.js');
  const api =
    oa.mode === 'customer-service' && oa.appId && oa.appSecret
      ? createOaApi({ base: oa.apiBase, appId: oa.appId, appSecret: oa.appSecret, log })
      : undefined;
  const handler = createOaHandler({
    service: runtime.service,
    translators: runtime.translators,
    settings: {
      token: oa.token,
      appId: oa.appId,
      encodingAesKey: oa.encodingAesKey,
      mode: oa.mode,
      path: '/wechat/oa',
    },
    log,
    logContent: config.logContent,
    ...(api ? { api } : {}),
  });
  const server = await listen(handler, oa.port, oa.host).catch((error: unknown) => {
    throw new ExpectedError(
      `zhuihui: cannot listen on ${oa.host}:${oa.port} (${(error as { code?: string }).code ?? String(error)}). Set PORT or HOST.`,
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : oa.port;
  log.info(
    {
      url: `http://${oa.host}:${port}/wechat/oa`,
      mode: oa.mode,
      safeMode: Boolean(oa.encodingAesKey),
    },
    'webhook listening',
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'shutting down');
  // No new connections; requests in flight are answered first.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await runtime.close();
  return 0;
}

/** `.env` in the working directory, when there is one (as .env.example says); real env wins. */
function loadDotEnv(): void {
  try {
    process.loadEnvFile();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // One boundary for expected failures: a clear message and exit 2, never a stack trace.
    if (error instanceof ExpectedError) {
      console.error(error.message);
      process.exitCode = error.exitCode;
      return;
    }
    console.error('zhuihui: unexpected error:', error instanceof Error ? error.message : error);
    if (process.env.LOG_LEVEL === 'debug') console.error(error);
    process.exitCode = 1;
  },
);
