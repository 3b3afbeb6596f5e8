import { loadConfig, type BotConfig } from './config.js';
import { createLogger } from './log.js';
import { createRuntime } from './runtime.js';
import { ExpectedError } from './shared/errors.js';
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  input: Readable;
  output: Writable;
  /** Where errors go (stderr). */
  error: (text: string) => void;
  interactive: boolean;
  /** Files created readable by the owner only (the real process; not a test's worker). */
  privateFiles: boolean;
}

/**
 * Every command behind one boundary: a problem the operator can fix (an ExpectedError) is one
 * clear line and exit 2, never a stack trace; anything else is "unexpected error" and exit 1.
 * main.ts runs it on the process; tests run it in process with streams.
 */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<number> {
  try {
    const config = loadConfig(argv, env);
    // Everything these commands write (sessions, Wechaty's login memory card, recorded
    // transcripts) is about people's money: readable by the owner only (red-team m16).
    if (io.privateFiles && config.command !== 'flow') process.umask(0o077);
    switch (config.command) {
      // Each command's code is loaded only when it runs: the terminal chat must answer within
      // 0.3 s, and the author's tools (graph rendering, lint) or Wechaty would double that.
      case 'flow':
        return await (
          await import('./commands/flow.js')
        ).flowCommand(config, {
          print: (text) => void io.output.write(text),
          input: io.input,
        });
      case 'bot':
        return await bot(config);
      case 'chat':
        return await (
          await import('./commands/chat.js')
        ).chatCommand(config, {
          input: io.input,
          output: io.output,
          interactive: io.interactive,
          log: createLogger(config.logLevel ?? 'warn'),
        });
      case 'serve':
        return await (await import('./commands/serve.js')).serveCommand(config);
    }
  } catch (error) {
    if (error instanceof ExpectedError) {
      io.error(`${error.message}\n`);
      return error.exitCode;
    }
    io.error(
      `zhuihui: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (env.LOG_LEVEL === 'debug') io.error(`${String((error as Error).stack)}\n`);
    return 1;
  }
}

async function bot(config: BotConfig): Promise<number> {
  const log = createLogger(config.logLevel ?? 'info');
  const runtime = await createRuntime({ ...config, log });
  runtime.startRetention(config.retentionDays, config.retentionSweepHours);
  // Loaded only for this command: wechaty is heavy and the console chat does not need it.
  const { buildBot, runBot } = await import('./commands/bot.js');
  const { bot: wechaty, assistant } = buildBot(config, runtime, log);
  try {
    const { metricsPort, host } = config.bot;
    return await runBot(
      wechaty,
      assistant,
      log,
      metricsPort === undefined ? undefined : { runtime, port: metricsPort, host },
    );
  } finally {
    await runtime.close();
  }
}
