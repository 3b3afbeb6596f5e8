import type { WechatyPlugin } from 'wechaty';
import { createWechatyAssistant, type AssistantDeps } from './adapters/wechaty/plugin.js';
import { createLogger, type Logger } from './log.js';
import { createRuntime, DEFAULT_FLOW_FILE, DEFAULT_LOCALES_DIR } from './runtime.js';
import type { SessionStore } from './store/port.js';
import { DEFAULT_HANDOFF_POLICY, type HandoffPolicy } from './core/handoff.js';

export { createWechatyAssistant } from './adapters/wechaty/plugin.js';
export { createRuntime } from './runtime.js';
export type { SessionStore } from './store/port.js';

export interface WechatyAssistantOptions extends Omit<AssistantDeps, 'runtime' | 'log'> {
  /** Where sessions are stored; default ./data. */
  dataDir?: string;
  flowFile?: string;
  localesDir?: string;
  store?: SessionStore;
  log?: Logger;
  /** With `handoffRoom`: how long a request waits and a silent conversation is held. */
  handoff?: HandoffPolicy;
}

/** A Wechaty plugin that can also be shut down cleanly by its host. */
export type ClosableWechatyPlugin = WechatyPlugin & {
  /**
   * Stops taking messages, sends the replies already queued (for at most `timeoutMs`, default
   * 30 s) and releases the store (its directory lock or Redis connection). Call it on shutdown,
   * before `bot.stop()`.
   */
  close(timeoutMs?: number): Promise<void>;
  /** Resolves when no message is in flight and no reply is queued. */
  settled(): Promise<void>;
};

/**
 * The Wechaty plugin: `bot.use(wechatyAssistant({ dataDir }))`. The flow and its words load in
 * the background; messages that arrive meanwhile wait for them. If the flow cannot load, the
 * error is logged (for each message) instead of crashing the host bot.
 */
export function wechatyAssistant(options: WechatyAssistantOptions = {}): ClosableWechatyPlugin {
  const log = options.log ?? createLogger('info');
  const runtime = createRuntime({
    flowFile: options.flowFile ?? DEFAULT_FLOW_FILE,
    localesDir: options.localesDir ?? DEFAULT_LOCALES_DIR,
    dataDir: options.dataDir ?? './data',
    log,
    ...(options.store ? { store: options.store } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.handoffRoom ? { handoff: options.handoff ?? DEFAULT_HANDOFF_POLICY } : {}),
  });
  runtime.catch((error: unknown) =>
    log.error({ err: (error as Error).message }, 'zhuihui could not load its flow'),
  );
  const assistant = createWechatyAssistant({ ...options, log, runtime });
  const plugin: WechatyPlugin = (bot) => assistant.install(bot);
  return Object.assign(plugin, {
    close: async (timeoutMs?: number) => {
      await assistant.close(timeoutMs);
      await (await runtime.catch(() => undefined))?.close();
    },
    settled: () => assistant.settled(),
  });
}
