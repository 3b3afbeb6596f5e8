import type { Readable, Writable } from 'node:stream';
import type { ChatConfig as Config } from '../config.js';
import type { Logger } from '../log.js';
import { createRuntime } from '../runtime.js';
import { consoleKey, runConsole } from '../adapters/console/repl.js';
import { watchFlow } from './watch.js';

/**
 * `npm start`: the conversation in a terminal, on the configured store. The streams are
 * parameters so that tests run exactly this, in process, with piped text.
 */
export async function chatCommand(
  config: Config,
  io: { input: Readable; output: Writable; interactive: boolean; log: Logger },
): Promise<number> {
  // The console's only user is the operator: no flood limit, so long piped scripts work.
  const options = { ...config, log: io.log, flood: false as const };
  const runtime = await createRuntime(options);
  // A recording starts a fresh conversation, so the transcript replays from its first line.
  const user = config.record ? `recording-${Date.now()}` : config.userId;
  const say = (text: string) => io.output.write(`${text}\n\n`);
  const stopWatching = config.watch
    ? watchFlow(options, runtime, consoleKey(user), say)
    : undefined;
  const stopRetention = runtime.startRetention(config.retentionDays, config.retentionSweepHours);
  try {
    await runConsole({
      service: runtime.service,
      engine: runtime.engine,
      translators: runtime.translators,
      input: io.input,
      output: io.output,
      user,
      lang: config.lang,
      interactive: io.interactive,
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
