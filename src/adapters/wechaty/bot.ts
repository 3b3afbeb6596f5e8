import { join } from 'node:path';
import qrcodeTerminal from 'qrcode-terminal';
import { qrcodeValueToImageUrl, ScanStatus, WechatyBuilder, type Wechaty } from 'wechaty';
import type { BotConfig as Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { Runtime } from '../../runtime.js';
import { createWechatyAssistant, ref, type WechatyAssistant } from './plugin.js';

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
  bot.on('login', (user) => log.info({ user: ref(user.id) }, 'logged in'));
  bot.on('logout', () => log.warn('logged out'));
  // Wechaty reconnects by itself; an error is logged and never ends the process.
  bot.on('error', (error) => log.error({ err: error.message }, 'wechaty error'));
  return { bot, assistant };
}

/** Runs until SIGINT/SIGTERM, then drains: no new messages, queued replies sent, bot stopped. */
export async function runBot(
  bot: Wechaty,
  assistant: WechatyAssistant,
  log: Logger,
): Promise<number> {
  await bot.start();
  log.info('bot started');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal, queued: assistant.queue.pending }, 'shutting down');
  await assistant.close();
  await bot.stop();
  log.info('stopped');
  return 0;
}
