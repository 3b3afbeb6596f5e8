import type { Readable, Writable } from 'node:stream';
import { CHAT_HELP, type ChatConfig as Config } from '../config.js';
import type { Logger } from '../log.js';
import { createRuntime, type Runtime } from '../runtime.js';
import type { CaseChannel } from '../adapters/handoff/open-cases.js';
import type { Sender } from '../adapters/handoff/desk.js';
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
  if (config.help) {
    io.output.write(`${CHAT_HELP}\n`);
    return 0;
  }
  // The console's only user is the operator: no flood limit, so long piped scripts work.
  const options = { ...config, log: io.log, flood: false as const };
  const runtime = await createRuntime(options);
  if (config.operator) return operatorCommand(config, runtime, io);
  // --handoff: the user's turns reach the operators, and their words reach this terminal.
  const handoff = config.handoff
    ? (await import('../adapters/console/handoff-user.js')).createConsoleHandoff({
        bus: runtime.handoffBus,
        service: runtime.service,
        log: io.log,
        clock: () => new Date(),
      })
    : undefined;
  // A recording starts a fresh conversation, so the transcript replays from its first line.
  const user = config.record ? `recording-${Date.now()}` : config.userId;
  const say = (text: string) => io.output.write(`${text}\n\n`);
  const stopWatching = config.watch
    ? watchFlow(options, runtime, consoleKey(user), say)
    : undefined;
  const stopRetention = runtime.startRetention(config.retentionDays, config.retentionSweepHours);
  try {
    await runConsole({
      service: handoff?.service ?? runtime.service,
      ...(handoff ? { incoming: handoff.incoming } : {}),
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

/** `npm start -- --operator`: the console works the open cases (adapters/console/operator.ts). */
async function operatorCommand(
  config: Config,
  runtime: Runtime,
  io: { input: Readable; output: Writable; interactive: boolean; log: Logger },
): Promise<number> {
  const { runOperatorConsole } = await import('../adapters/console/operator.js');
  const senders: Partial<Record<CaseChannel, Sender>> = {};
  if (config.oaApi) {
    // The Official Account's users are answered from here, within the customer-service limits.
    const { createOaApi } = await import('../adapters/oa/api.js');
    const { createOaHandoff } = await import('../adapters/oa/handoff.js');
    const { appId, appSecret, apiBase } = config.oaApi;
    senders.oa = createOaHandoff({
      bus: runtime.handoffBus,
      service: runtime.service,
      api: createOaApi({ base: apiBase, appId, appSecret, log: io.log }),
      log: io.log,
      clock: () => new Date(),
      mode: 'passive',
    }).send;
  }
  try {
    await runOperatorConsole({
      service: runtime.service,
      bus: runtime.handoffBus,
      translators: runtime.translators,
      input: io.input,
      output: io.output,
      log: io.log,
      clock: () => new Date(),
      name: config.userId,
      lang: config.lang,
      interactive: io.interactive,
      senders,
    });
  } finally {
    await runtime.close();
  }
  return 0;
}
