/**
 * A Wechaty bot with the assistant plugin, on a runtime whose sessions are files under
 * `dataDir`: what the Wechaty tests share, whatever puppet they put under it (the mock, or a
 * puppet-service client of the mock). Kept apart from helpers.ts so that tests without a bot
 * do not load Wechaty.
 */
import { join } from 'node:path';
import { WechatyBuilder, type Wechaty, type WechatyOptions } from 'wechaty';
import { mock } from 'wechaty-puppet-mock';
import {
  createWechatyAssistant,
  type AssistantDeps,
  type WechatyAssistant,
} from '../src/adapters/wechaty/plugin.js';
import { silentLogger } from '../src/log.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { FLOW_FILE, LOCALES_DIR } from './helpers.js';

export interface AssistantBot {
  bot: Wechaty;
  runtime: Runtime;
  assistant: WechatyAssistant;
}

export async function assistantBot(
  dataDir: string,
  puppet: NonNullable<WechatyOptions['puppet']>,
  options: Omit<AssistantDeps, 'runtime' | 'log'> & { log?: AssistantDeps['log'] } = {},
): Promise<AssistantBot> {
  const bot = WechatyBuilder.build({ puppet, name: join(dataDir, 'bot') });
  const runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir,
    log: silentLogger,
    // A whole conversation is typed here faster than a person types: the screen questions make
    // it 10 messages, over the default 8 in 10 s. The flood gate has its own tests.
    flood: { messages: 30, windowMs: 10_000 },
  });
  const assistant = createWechatyAssistant({ runtime, log: silentLogger, ...options });
  bot.use(assistant.install);
  return { bot, runtime, assistant };
}

/** Start the bot and log the mock's bot user in; resolves once Wechaty says it is logged in. */
export async function loginOnMock(bot: Wechaty, mocker: mock.Mocker): Promise<mock.ContactMock> {
  await bot.start();
  const botUser = mocker.createContact({ name: 'zhuihui' });
  const loggedIn = new Promise<void>((resolve) => bot.once('login', () => resolve()));
  mocker.login(botUser);
  await loggedIn;
  return botUser;
}
