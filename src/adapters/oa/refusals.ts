import type { Logger } from '../../log.js';

/**
 * Why the webhook refused a request. Each refusal is logged (never with the body) and
 * counted, so that an operator sees a misconfiguration (red-team m21, M10) and a metrics
 * endpoint can export the counts.
 */
export type RefusalCause =
  | 'bad-signature'
  | 'stale-timestamp'
  | 'reused-nonce'
  | 'appid-mismatch'
  | 'safe-mode-without-encrypt'
  | 'encrypted-without-aes-key';

/** What the operator can do about each cause: the log line names the fix. */
const HINTS: Record<RefusalCause, string> = {
  'bad-signature':
    'signature does not match: check that WECHAT_OA_TOKEN is the Token in the admin console',
  'stale-timestamp':
    'timestamp more than 5 minutes from this server clock: a replayed request, or a clock to set right (NTP)',
  'reused-nonce': 'a signed request replayed with another body',
  'appid-mismatch': 'the message is for another AppID: check WECHAT_OA_APP_ID',
  'safe-mode-without-encrypt':
    'the server is in safe mode (WECHAT_OA_ENCODING_AES_KEY set) but the message is not encrypted: set the admin console to safe mode (安全模式), or unset the key',
  'encrypted-without-aes-key':
    'the message is encrypted (the admin console is in safe mode) but WECHAT_OA_ENCODING_AES_KEY is not set: set it to the EncodingAESKey from the admin console',
};

/** Refusals since the process started, by cause: counts only (a metrics endpoint reads them). */
export const refusals: Record<RefusalCause, number> = {
  'bad-signature': 0,
  'stale-timestamp': 0,
  'reused-nonce': 0,
  'appid-mismatch': 0,
  'safe-mode-without-encrypt': 0,
  'encrypted-without-aes-key': 0,
};

/** Counts and logs one refusal (a warning: each is either an attack or a setting to fix). */
export function refuse(log: Logger, cause: RefusalCause): void {
  refusals[cause]++;
  log.warn({ cause, hint: HINTS[cause] }, 'webhook request refused');
}
