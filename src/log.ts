import { pino } from 'pino';

export type Logger = Pick<pino.Logger, 'info' | 'warn' | 'error' | 'debug'>;

/**
 * Logs go to stderr so that stdout carries only the conversation. Message text is never
 * logged unless the operator opts in with LOG_CONTENT=1 (it is about people's money).
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}

const noop = () => undefined;
/** For tests and tools: a plain object, so importing this module opens no stream. */
export const silentLogger: Logger = { info: noop, warn: noop, error: noop, debug: noop };
