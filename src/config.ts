import { ExpectedError } from './shared/errors.js';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LANGS, type Lang } from './shared/types.js';

export class ConfigError extends ExpectedError {
  override readonly name = 'ConfigError';
}

const COMMANDS = ['chat', 'bot', 'flow', 'serve'] as const;

/** Node's timers hold at most 2^31 - 1 ms (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The checkout: default flow and words are found here whatever the working directory. */
export const PACKAGE_ROOT = resolve(import.meta.dirname, '..');

const envSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  // Unset: per-user files under DATA_DIR. Set: sessions, flood limits and message ids in Redis.
  STORE_URL: z
    .string()
    .regex(/^rediss?:\/\/[^\s]+$/, 'use redis://[:password@]host:port/db or rediss://…')
    .optional(),
  STORE_PREFIX: z
    .string()
    .regex(/^[\w:.-]+$/, 'use letters, digits and _ : . -')
    .default('zhuihui:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  LOG_CONTENT: z.enum(['0', '1']).default('0'),
  FLOW_FILE: z.string().min(1).optional(),
  LOCALES_DIR: z.string().min(1).optional(),
  WECHATY_PUPPET: z.string().min(1).default('wechaty-puppet-wechat4u'),
  WECHATY_PUPPET_SERVICE_TOKEN: z.string().min(1).optional(),
  WECHATY_PUPPET_SERVICE_ENDPOINT: z.string().min(1).optional(),
  BOT_NAME: z
    .string()
    .regex(/^[\w-]+$/, 'use letters, digits, _ and -')
    .default('zhuihui'),
  SEND_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(MAX_TIMER_MS).default(1500),
  SEND_JITTER_MS: z.coerce.number().int().min(0).max(MAX_TIMER_MS).default(1000),
  SEND_MAX_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  SEND_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  AUTO_ACCEPT_FRIENDS: z.enum(['0', '1']).default('0'),
  FSYNC: z.enum(['0', '1']).default('0'),
  // The operator room of the personal account (a group's room id): set, users can ask for a person.
  HANDOFF_ROOM: z.string().trim().min(1).optional(),
  HANDOFF_WAIT_MINUTES: z.coerce
    .number()
    .positive()
    .max(MAX_TIMER_MS / 60_000)
    .default(10),
  HANDOFF_SILENCE_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  // The bot's /healthz, /readyz and /metrics; unset: no listener (serve has them on PORT).
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  WECHAT_OA_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, '3 to 32 letters or digits, as in the admin console')
    .optional(),
  WECHAT_OA_APPID: z.string().regex(/^\w+$/, 'letters and digits').optional(),
  WECHAT_OA_ENCODING_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, 'the 43 letters and digits shown in the admin console')
    .optional(),
  WECHAT_OA_APPSECRET: z.string().min(1).optional(),
  WECHAT_OA_MODE: z.enum(['passive', 'customer-service']).default('passive'),
  // 1: OA users can ask for a person; operators answer through the customer-service API.
  WECHAT_OA_HANDOFF: z.enum(['0', '1']).default('0'),
  WECHAT_API_BASE: z.url().default('https://api.weixin.qq.com'),
  // 微信客服 (WeCom kf) at /wechat/kf: set WECOM_CORP_ID to serve it.
  WECOM_CORP_ID: z.string().regex(/^\w+$/, 'letters and digits (ww…)').optional(),
  WECOM_KF_SECRET: z.string().min(1).optional(),
  WECOM_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, '3 to 32 letters or digits, as in the admin console')
    .optional(),
  WECOM_ENCODING_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, 'the 43 letters and digits shown in the admin console')
    .optional(),
  WECOM_API_BASE: z.url().default('https://qyapi.weixin.qq.com'),
  WECOM_MENU: z.enum(['0', '1']).default('1'),
  // 1: a user who asks for a person (and agrees to share the summary) is handed to WeCom's
  // own servicers (service_state/trans); WECOM_SERVICER_USERID names one, or the queue.
  WECOM_HANDOFF: z.enum(['0', '1']).default('0'),
  WECOM_SERVICER_USERID: z.string().min(1).optional(),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
  // Node runs a longer interval at once, in a tight loop: refused here, with the reason.
  RETENTION_SWEEP_HOURS: z.coerce
    .number()
    .positive()
    .max(MAX_TIMER_MS / 3_600_000, 'at most 596 hours (Node timers cannot wait longer)')
    .default(24),
});

/** What `npm start -- …` takes. */
interface ChatOptions {
  positionals: string[];
  /** Fixed language; when absent it is detected from the user's first message. */
  lang: Lang | undefined;
  userId: string;
  /** Console: write the conversation as a transcript here. */
  record: string | undefined;
  /** Console: reload the flow and words when their files change. */
  watch: boolean;
  /** Console: start at this step, with these facts (raw text, read as the step would). */
  at: string | undefined;
  facts: Record<string, string>;
  /** Console: a person can be asked for (answered from another terminal with --operator). */
  withOperators: boolean;
  /** Console: work as an operator (the cases waiting for a person), not as a user. */
  operator: boolean;
  help: boolean;
}

/** What every command shares: where the flow, the words and the sessions are. */
export interface BaseConfig {
  dataDir: string;
  /** Redis for several processes; undefined: the session files under dataDir. */
  storeUrl: string | undefined;
  storePrefix: string;
  /** Unset: each command picks its own (the chat logs warnings, the bot also its events). */
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  logContent: boolean;
  flowFile: string;
  localesDir: string;
  /** Flush each session write to disk before replying. */
  fsync: boolean;
  /** Sessions idle longer than this are deleted by the sweep (or expire, in Redis). */
  retentionDays: number;
  retentionSweepHours: number;
}

/** `npm start`: the terminal chat. */
export interface ChatConfig extends BaseConfig, Omit<ChatOptions, 'positionals'> {
  command: 'chat';
  /** Handoff timeouts, with --handoff or --operator. */
  handoff: { waitMinutes: number; silenceHours: number } | undefined;
  /** --operator: the OA customer-service API, when WECHAT_OA_APPID and _APPSECRET are set. */
  oaApi: { appId: string; appSecret: string; apiBase: string } | undefined;
}

/** `npm run bot`: the personal-account bot. */
export interface BotConfig extends BaseConfig {
  command: 'bot';
  bot: {
    name: string;
    puppet: string;
    puppetToken: string | undefined;
    puppetEndpoint: string | undefined;
    autoAcceptFriends: boolean;
    /** Where /healthz, /readyz and /metrics listen (on HOST); undefined: not at all. */
    metricsPort: number | undefined;
    host: string;
    send: { minIntervalMs: number; jitterMs: number; maxPerMinute: number; retries: number };
    /** The operator room's id (HANDOFF_ROOM); undefined: no handoff to a person. */
    handoffRoom: string | undefined;
  };
  /** Handoff timeouts, when an operator room is configured (the engine offers a person only then). */
  handoff: { waitMinutes: number; silenceHours: number } | undefined;
}

/** `npm run serve`: the Official Account webhook and/or 微信客服; at least one of them. */
export interface ServeConfig extends BaseConfig {
  command: 'serve';
  /** Undefined when WECHAT_OA_TOKEN is not set (微信客服 alone). */
  oa: OaConfig | undefined;
  /** Undefined when WECOM_CORP_ID is not set. */
  wecom: WecomConfig | undefined;
  port: number;
  host: string;
  /** Handoff timeouts when 微信客服 or the OA hand users to people (the engine offers a person only then). */
  handoff: { waitMinutes: number; silenceHours: number } | undefined;
}

/** `npm run flow -- …`: the author's toolkit, which parses its own arguments. */
export interface FlowConfig extends BaseConfig {
  command: 'flow';
  /** Words after `flow`, e.g. `schema`. */
  args: string[];
}

/** One typed configuration per command, parsed and validated once at start. */
export type Config = ChatConfig | BotConfig | ServeConfig | FlowConfig;

export interface OaConfig {
  port: number;
  host: string;
  token: string;
  appId: string | undefined;
  encodingAesKey: string | undefined;
  appSecret: string | undefined;
  mode: 'passive' | 'customer-service';
  apiBase: string;
  /** Users can ask for a person; operators' words go through the customer-service API. */
  handoff: boolean;
}

/** 微信客服 (WeCom kf): the callback at /wechat/kf and the API it pulls from and sends with. */
export interface WecomConfig {
  corpId: string;
  /** The secret of the self-built app allowed to call the kf API. */
  secret: string;
  token: string;
  encodingAesKey: string;
  apiBase: string;
  /** Options as a tappable menu (msgmenu); false: numbered text only. */
  menu: boolean;
  /** Hand a user to WeCom's servicers when they ask for a person (WECOM_HANDOFF=1). */
  handoff: boolean;
  /** The servicer to hand to (WECOM_SERVICER_USERID); undefined: WeCom's queue. */
  servicer: string | undefined;
}

/** WeCom's settings, all needed once WECOM_CORP_ID is set: what is missing is named. */
function wecomConfig(e: z.infer<typeof envSchema>): WecomConfig | undefined {
  if (!e.WECOM_CORP_ID) return undefined;
  const { WECOM_KF_SECRET: secret, WECOM_TOKEN: token, WECOM_ENCODING_AES_KEY: aes } = e;
  if (!secret || !token || !aes) {
    const missing = Object.entries({
      WECOM_KF_SECRET: secret,
      WECOM_TOKEN: token,
      WECOM_ENCODING_AES_KEY: aes,
    }).filter(([, value]) => !value);
    throw new ConfigError(
      `微信客服 (WECOM_CORP_ID) also needs ${missing.map(([name]) => name).join(', ')}: the app's Secret, and the Token and EncodingAESKey of its API receiving (接收消息) settings.`,
    );
  }
  return {
    corpId: e.WECOM_CORP_ID,
    secret,
    token,
    encodingAesKey: aes,
    apiBase: e.WECOM_API_BASE,
    menu: e.WECOM_MENU === '1',
    handoff: e.WECOM_HANDOFF === '1',
    servicer: e.WECOM_SERVICER_USERID,
  };
}

/** The webhook's settings, checked together: what is missing is said, with the variable. */
function oaConfig(e: z.infer<typeof envSchema>): OaConfig {
  if (!e.WECHAT_OA_TOKEN)
    throw new ConfigError(
      'npm run serve needs WECHAT_OA_TOKEN (the Token you set in the Official Account admin console) or WECOM_CORP_ID (微信客服).',
    );
  if (e.WECHAT_OA_ENCODING_AES_KEY && !e.WECHAT_OA_APPID)
    throw new ConfigError('safe mode (WECHAT_OA_ENCODING_AES_KEY) also needs WECHAT_OA_APPID');
  if (e.WECHAT_OA_MODE === 'customer-service' && (!e.WECHAT_OA_APPID || !e.WECHAT_OA_APPSECRET))
    throw new ConfigError(
      'WECHAT_OA_MODE=customer-service needs WECHAT_OA_APPID and WECHAT_OA_APPSECRET (for the access token)',
    );
  if (e.WECHAT_OA_HANDOFF === '1' && (!e.WECHAT_OA_APPID || !e.WECHAT_OA_APPSECRET))
    throw new ConfigError(
      'WECHAT_OA_HANDOFF=1 needs WECHAT_OA_APPID and WECHAT_OA_APPSECRET: operators answer through the customer-service API',
    );
  return {
    port: e.PORT,
    host: e.HOST,
    token: e.WECHAT_OA_TOKEN,
    appId: e.WECHAT_OA_APPID,
    encodingAesKey: e.WECHAT_OA_ENCODING_AES_KEY,
    appSecret: e.WECHAT_OA_APPSECRET,
    mode: e.WECHAT_OA_MODE,
    apiBase: e.WECHAT_API_BASE,
    handoff: e.WECHAT_OA_HANDOFF === '1',
  };
}

/** Parses flags and environment once, at start-up; a mistake stops with a clear message. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>): Config {
  const first = argv[0];
  const command = first === undefined || first.startsWith('-') ? 'chat' : first;
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new ConfigError(`unknown command "${command}"; use one of: ${COMMANDS.join(', ')}`);
  }
  const rest = command === first ? argv.slice(1) : argv;
  const envResult = envSchema.safeParse(env);
  if (!envResult.success) {
    const issue = envResult.error.issues[0];
    throw new ConfigError(`environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = envResult.data;
  const base: BaseConfig = {
    dataDir: resolve(e.DATA_DIR),
    storeUrl: e.STORE_URL,
    storePrefix: e.STORE_PREFIX,
    logLevel: e.LOG_LEVEL,
    logContent: e.LOG_CONTENT === '1',
    flowFile: e.FLOW_FILE
      ? resolve(e.FLOW_FILE)
      : resolve(PACKAGE_ROOT, 'flows/reward-code-recovery'),
    localesDir: e.LOCALES_DIR ? resolve(e.LOCALES_DIR) : resolve(PACKAGE_ROOT, 'locales'),
    fsync: e.FSYNC === '1',
    retentionDays: e.RETENTION_DAYS,
    retentionSweepHours: e.RETENTION_SWEEP_HOURS,
  };
  switch (command) {
    case 'flow':
      return { ...base, command, args: rest };
    case 'serve': {
      const wecom = wecomConfig(e);
      // Either channel may be served alone; with neither there is nothing to serve.
      const oa = wecom && !e.WECHAT_OA_TOKEN ? undefined : oaConfig(e);
      const handoff =
        wecom?.handoff || oa?.handoff
          ? { waitMinutes: e.HANDOFF_WAIT_MINUTES, silenceHours: e.HANDOFF_SILENCE_HOURS }
          : undefined;
      return { ...base, command, oa, wecom, port: e.PORT, host: e.HOST, handoff };
    }
    case 'bot':
      return {
        ...base,
        command,
        bot: {
          name: e.BOT_NAME,
          puppet: e.WECHATY_PUPPET,
          puppetToken: e.WECHATY_PUPPET_SERVICE_TOKEN,
          puppetEndpoint: e.WECHATY_PUPPET_SERVICE_ENDPOINT,
          autoAcceptFriends: e.AUTO_ACCEPT_FRIENDS === '1',
          metricsPort: e.METRICS_PORT,
          host: e.HOST,
          send: {
            minIntervalMs: e.SEND_MIN_INTERVAL_MS,
            jitterMs: e.SEND_JITTER_MS,
            maxPerMinute: e.SEND_MAX_PER_MINUTE,
            retries: e.SEND_RETRIES,
          },
          handoffRoom: e.HANDOFF_ROOM,
        },
        handoff: e.HANDOFF_ROOM
          ? { waitMinutes: e.HANDOFF_WAIT_MINUTES, silenceHours: e.HANDOFF_SILENCE_HOURS }
          : undefined,
      };
    default: {
      const { positionals, ...console } = parseChatOptions(rest);
      if (positionals.length > 0)
        throw new ConfigError(`unexpected "${positionals.join(' ')}"\n${CHAT_USAGE}`);
      const people = console.withOperators || console.operator;
      return {
        ...base,
        ...console,
        command: 'chat',
        handoff: people
          ? { waitMinutes: e.HANDOFF_WAIT_MINUTES, silenceHours: e.HANDOFF_SILENCE_HOURS }
          : undefined,
        oaApi:
          console.operator && e.WECHAT_OA_APPID && e.WECHAT_OA_APPSECRET
            ? {
                appId: e.WECHAT_OA_APPID,
                appSecret: e.WECHAT_OA_APPSECRET,
                apiBase: e.WECHAT_API_BASE,
              }
            : undefined,
      };
    }
  }
}

const CHAT_USAGE =
  'Usage: npm start -- [--lang zh-CN|en] [--user ID] [--record FILE.yaml] [--watch] [--at STEP] [--fact NAME=VALUE …] [--handoff] | --operator | --help';

/** `npm start -- --help`. */
export const CHAT_HELP = `${CHAT_USAGE}

  --lang zh-CN|en     the language (default: detected from the first message)
  --user ID           who is typing (default "console"; kept as console:ID)
  --record FILE.yaml  write the conversation as a transcript
  --watch             reload the flow and words when their files change
  --at STEP           start at a step, with --fact NAME=VALUE answers
  --handoff           a person can be asked for (人工 / "talk to a person"); an operator
                      answers from another terminal with --operator
  --operator          (with --user NAME: the name users' cases show) work as an operator on the cases waiting for a person, on the same
                      store (DATA_DIR, or Redis with STORE_URL). Type:
                        /list             the open cases
                        #a1b2 /take       take a case
                        #a1b2 your words  say something to the user
                        #a1b2 /done       hand the case back to the bot
                      Words reach the user on their channel: the Official Account's
                      customer-service API (WECHAT_OA_APPID and WECHAT_OA_APPSECRET; at most
                      5 messages per user message, within 48 hours of it), the personal
                      account's bot, or a console user (shown in their terminal). On files one
                      process at a time uses DATA_DIR: run the channels and operators on one
                      Redis (STORE_URL) to work at the same time.
  --help              this text`;

function parseChatOptions(argv: string[]): ChatOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        lang: { type: 'string' },
        user: { type: 'string' },
        record: { type: 'string' },
        watch: { type: 'boolean' },
        at: { type: 'string' },
        fact: { type: 'string', multiple: true },
        handoff: { type: 'boolean' },
        operator: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${CHAT_USAGE}`);
  }
  const { values } = parsed;
  const userId = values.user ?? 'console';
  if (userId.trim() === '') throw new ConfigError('--user needs a non-empty id');
  const facts: Record<string, string> = {};
  for (const pair of values.fact ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1)
      throw new ConfigError(`--fact "${pair}" must look like NAME=VALUE, e.g. --fact amount=500`);
    facts[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (Object.keys(facts).length > 0 && !values.at)
    throw new ConfigError('--fact goes with --at STEP');
  if (values.operator && (values.at || values.record || values.watch))
    throw new ConfigError(
      `--operator works on the open cases: it takes no --at, --record or --watch\n${CHAT_USAGE}`,
    );
  return {
    positionals: parsed.positionals,
    lang: parseLang(values.lang),
    userId,
    record: values.record ? resolve(values.record) : undefined,
    watch: values.watch ?? false,
    at: values.at,
    facts,
    withOperators: values.handoff ?? false,
    operator: values.operator ?? false,
    help: values.help ?? false,
  };
}

function parseLang(value: string | undefined): Lang | undefined {
  if (value === undefined) return undefined;
  const match = LANGS.find(
    (l) => l.toLowerCase() === value.toLowerCase() || l.split('-')[0] === value.toLowerCase(),
  );
  if (!match)
    throw new ConfigError(`--lang "${value}" is not supported; use one of: ${LANGS.join(', ')}`);
  return match;
}
