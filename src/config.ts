import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LANGS, type Lang } from './core/types.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const COMMANDS = ['chat', 'flow'] as const;

const envSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  LOG_CONTENT: z.enum(['0', '1']).default('0'),
  FLOW_FILE: z.string().min(1).default('flows/reward-code-recovery.yaml'),
  LOCALES_DIR: z.string().min(1).default('locales'),
});

export interface Config {
  command: (typeof COMMANDS)[number];
  /** Words after the command, e.g. `flow schema`. */
  args: string[];
  /** Fixed language; when absent it is detected from the user's first message. */
  lang: Lang | undefined;
  userId: string;
  dataDir: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  logContent: boolean;
  flowFile: string;
  localesDir: string;
}

/** Parses flags and environment once, at start-up; a mistake stops with a clear message. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>): Config {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { lang: { type: 'string' }, user: { type: 'string' } },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\nUsage: npm start -- [--lang zh-CN|en] [--user ID]`);
  }
  const [command = 'chat', ...args] = parsed.positionals;
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new ConfigError(`unknown command "${command}"; use one of: ${COMMANDS.join(', ')}`);
  }
  const lang = parseLang(parsed.values.lang);
  const userId = parsed.values.user ?? 'console';
  if (userId.trim() === '') throw new ConfigError('--user needs a non-empty id');
  const envResult = envSchema.safeParse(env);
  if (!envResult.success) {
    const issue = envResult.error.issues[0];
    throw new ConfigError(`environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = envResult.data;
  return {
    command: command as Config['command'],
    args,
    lang,
    userId,
    dataDir: resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    logContent: e.LOG_CONTENT === '1',
    flowFile: resolve(e.FLOW_FILE),
    localesDir: resolve(e.LOCALES_DIR),
  };
}

function parseLang(value: string | undefined): Lang | undefined {
  if (value === undefined) return undefined;
  const match = LANGS.find((l) => l.toLowerCase() === value.toLowerCase() || l.split('-')[0] === value.toLowerCase());
  if (!match) throw new ConfigError(`--lang "${value}" is not supported; use one of: ${LANGS.join(', ')}`);
  return match;
}
