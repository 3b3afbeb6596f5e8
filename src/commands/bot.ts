import { join } from 'node:path';
import qrcodeTerminal from 'qrcode-terminal';
import { qrcodeValueToImageUrl, ScanStatus, WechatyBuilder, type Wechaty } from 'wechaty';
import type { BotConfig as Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Runtime } from '../runtime.js';
import { listenProbes } from '../adapters/http/probes.js';
import { ExpectedError } from '../shared/errors.js';
import { createWechatyAssistant, ref, type WechatyAssistant } from '../adapters/wechaty/plugin.js';

/** Builds the bot account from config; nothing starts until `run`. */
export function buildBot(
  config: Config,
  runtime: Runtime,
  log: Logger,
): { bot: Wechaty; assistant: WechatyAssistant } {
  const { bot: c } = config;
  const bot = WechatyBuilder.build({
    // The memory card (login state) lives with the rest of the data, not in the working directory.
    name: join(config.dataDir, c.name),
    puppet: c.puppet as never,
    puppetOptions: {
      ...(c.puppetToken ? { token: c.puppetToken } : {}),
      ...(c.puppetEndpoint ? { endpoint: c.puppetEndpoint } : {}),
    },
  });
  const assistant = createWechatyAssistant({
    runtime,
    log,
    send: c.send,
    autoAcceptFriends: c.autoAcceptFriends,
    logContent: config.logContent,
    handoffRoom: c.handoffRoom,
  });
  bot.use(assistant.install);
  bot.on('scan', (qrcode, status) => {
    if (status !== ScanStatus.Waiting && status !== ScanStatus.Timeout) return;
    qrcodeTerminal.generate(qrcode, { small: true });
    console.error(`Scan to log in: ${qrcodeValueToImageUrl(qrcode)}`);
  });
  const errors = errorStates(log);
  bot.on('login', (user) => {
    errors.clear();
    log.info({ user: ref(user.id) }, 'logged in');
  });
  bot.on('logout', () => log.warn('logged out'));
  // Wechaty reconnects by itself; an error is counted, logged when it changes, and never ends
  // the process. Without network it repeats ~2.5 times a second: one line, not thousands.
  bot.on('error', (error) => {
    runtime.metrics.channelError('wechat');
    errors.seen(error.message);
  });
  runtime.metrics.registry.gauge(
    'zhuihui_send_queue_depth',
    'Replies waiting in the send queue of the personal account.',
    () => assistant.queue.pending,
  );
  return { bot, assistant };
}

/** Runs until SIGINT/SIGTERM, then drains: no new messages, queued replies sent, bot stopped. */
export async function runBot(
  bot: Wechaty,
  assistant: WechatyAssistant,
  log: Logger,
  probes?: { runtime: Runtime; port: number; host: string },
): Promise<number> {
  const server = probes
    ? await listenProbes(
        {
          registry: probes.runtime.metrics.registry,
          ready: async () => ({
            flow: true,
            store: await probes.runtime.storeReachable(),
            loggedIn: bot.isLoggedIn,
          }),
        },
        probes.port,
        probes.host,
      ).catch((error: unknown) => {
        throw new ExpectedError(
          `zhuihui: cannot listen on ${probes.host}:${probes.port} for metrics (${(error as { code?: string }).code ?? String(error)}). Set METRICS_PORT or HOST.`,
        );
      })
    : undefined;
  if (server) {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : probes?.port;
    log.info({ url: `http://${probes?.host}:${port}/metrics` }, 'metrics listening');
  }
  await bot.start();
  log.info('bot started');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal, queued: assistant.queue.pending }, 'shutting down');
  await assistant.close();
  await bot.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  log.info('stopped');
  return 0;
}

/**
 * Logs an error the first time it is seen and again only when it changes, with how often the
 * previous one repeated; login clears it (the next error is news again).
 */
function errorStates(log: Logger) {
  let current: string | undefined;
  let repeats = 0;
  return {
    seen(message: string) {
      if (message === current) {
        repeats++;
        return;
      }
      log.error(
        { err: message, ...(current ? { previous: current, previousRepeats: repeats } : {}) },
        'wechaty error (logged again only when it changes; counted in zhuihui_channel_errors_total)',
      );
      current = message;
      repeats = 0;
    },
    clear() {
      if (current) log.info({ previous: current, previousRepeats: repeats }, 'wechaty recovered');
      current = undefined;
      repeats = 0;
    },
  };
}
