import type { Logger } from '../../log.js';

export interface OaApiOptions {
  /** https://api.weixin.qq.com, or a local fake in tests. */
  base: string;
  appId: string;
  appSecret: string;
  log: Logger;
  fetch?: typeof fetch;
  /** Attempts per message before it is given up (and logged). */
  attempts?: number;
}

export interface OaApi {
  /**
   * Sends one text through the customer-service API; throws after the last attempt (an
   * OaSendError with WeChat's errcode when WeChat refused it; at once when retrying cannot help).
   */
  sendText(openId: string, content: string): Promise<void>;
}

/** Token errors: the cached access token is no longer valid, so fetch a new one and retry. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);

/**
 * Refusals that trying again cannot change (docs/content-sources.md, "Official Account
 * customer-service facts"): 45015 "response out of time limit or subscription is canceled"
 * (more than 48 hours since the user's last message), 45047 "out of response count limit"
 * (the messages allowed per user message are used up), 43004 "require subscribe" (the user
 * unfollowed), 40003 invalid openid.
 */
export const OA_FINAL_ERRORS = { window: 45015, count: 45047, unsubscribed: 43004, openId: 40003 };
const FINAL = new Set<number>(Object.values(OA_FINAL_ERRORS));

/** WeChat refused a customer-service message, with its errcode. */
export class OaSendError extends Error {
  override readonly name = 'OaSendError';
  constructor(
    readonly errcode: number,
    errmsg: string,
  ) {
    super(`send refused: ${errcode} ${errmsg}`);
  }
}

interface WeChatResult {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
}

/**
 * The customer-service message API of an Official Account. The access token is fetched once
 * and cached until shortly before it expires (WeChat limits how often it may be fetched); one
 * fetch at a time, shared by every sender.
 */
export function createOaApi(options: OaApiOptions): OaApi {
  const doFetch = options.fetch ?? fetch;
  const attempts = options.attempts ?? 3;
  let cached: { token: string; until: number } | undefined;
  let fetching: Promise<string> | undefined;

  async function call(url: string, init?: RequestInit): Promise<WeChatResult> {
    const response = await doFetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`WeChat API answered HTTP ${response.status}`);
    return (await response.json()) as WeChatResult;
  }

  function token(): Promise<string> {
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.token);
    fetching ??= (async () => {
      try {
        const url = new URL('/cgi-bin/token', options.base);
        url.search = new URLSearchParams({
          grant_type: 'client_credential',
          appid: options.appId,
          secret: options.appSecret,
        }).toString();
        const result = await call(url.toString());
        if (!result.access_token)
          throw new Error(`access token refused: ${result.errcode} ${result.errmsg ?? ''}`);
        // Renewed five minutes early, so a token never expires between fetch and use.
        const life = Math.max(60, (result.expires_in ?? 7200) - 300);
        cached = { token: result.access_token, until: Date.now() + life * 1000 };
        return result.access_token;
      } finally {
        fetching = undefined;
      }
    })();
    return fetching;
  }

  async function sendOnce(openId: string, content: string): Promise<void> {
    const url = new URL('/cgi-bin/message/custom/send', options.base);
    url.searchParams.set('access_token', await token());
    const result = await call(url.toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ touser: openId, msgtype: 'text', text: { content } }),
    });
    if (result.errcode && TOKEN_ERRORS.has(result.errcode)) {
      cached = undefined;
      throw new Error(`token rejected (${result.errcode})`);
    }
    if (result.errcode) throw new OaSendError(result.errcode, result.errmsg ?? '');
  }

  return {
    async sendText(openId, content) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await sendOnce(openId, content);
        } catch (error) {
          options.log.warn(
            { attempt, err: (error as Error).message },
            'customer-service send failed',
          );
          const final = error instanceof OaSendError && FINAL.has(error.errcode);
          if (final || attempt >= attempts) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
        }
      }
    },
  };
}
