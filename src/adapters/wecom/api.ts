import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log.js';

/**
 * The WeCom 微信客服 (kf) API, as far as zhuihui uses it. The shapes are WeCom's (documents
 * 31078 and 94698 on developer.work.weixin.qq.com, gettoken 91039) as the Go SDK
 * `silenceper/wechat` (work/kf/) implements them; see docs/content-sources.md.
 */
export interface WecomApiOptions {
  /** https://qyapi.weixin.qq.com, or a local fake in tests. */
  base: string;
  corpId: string;
  secret: string;
  log: Logger;
  fetch?: typeof fetch;
  /** Attempts per call when the network or WeCom fails for a moment. */
  attempts?: number;
}

/** One item of `sync_msg`'s `msg_list`: a message or an event (fields as WeCom names them). */
export interface KfItem {
  msgid: string;
  open_kfid?: string;
  external_userid?: string;
  /** Seconds since the epoch. */
  send_time?: number;
  /** 3: the WeChat customer; 4: a system event; 5: a human servicer in the WeCom app. */
  origin?: number;
  servicer_userid?: string;
  msgtype: string;
  /** `menu_id` is set when the text is a tap on a msgmenu item. */
  text?: { content?: string; menu_id?: string };
  event?: {
    event_type?: string;
    open_kfid?: string;
    external_userid?: string;
    welcome_code?: string;
    scene?: string;
    fail_type?: number;
    change_type?: number;
  };
}

export interface SyncPage {
  nextCursor: string;
  hasMore: boolean;
  items: KfItem[];
}

/** A message zhuihui sends: a text, or a question whose options can be tapped. */
export type KfOutgoing =
  | { type: 'text'; content: string }
  | { type: 'menu'; head: string; items: Array<{ id: string; content: string }> };

export interface WecomApi {
  /** One page of messages after `cursor` (none: from the oldest WeCom still keeps). */
  syncMsg(request: { openKfId: string; cursor?: string; token?: string }): Promise<SyncPage>;
  send(externalUserId: string, openKfId: string, message: KfOutgoing): Promise<void>;
  /** A message answering an event's code (`welcome_code` of enter_session, or a `msg_code`). */
  sendOnEvent(code: string, message: KfOutgoing): Promise<void>;
  /** 0 new, 1 bot, 2 queued for a person, 3 a person, 4 ended; and who serves, for 3. */
  serviceState(
    openKfId: string,
    externalUserId: string,
  ): Promise<{ state: number; servicerUserId: string | undefined }>;
  /** Moves the session (2 to the queue, 3 to a servicer, 4 ended); the code for send_msg_on_event. */
  transferState(
    openKfId: string,
    externalUserId: string,
    state: number,
    servicerUserId?: string,
  ): Promise<{ msgCode: string | undefined }>;
}

/** WeCom refused a call: its errcode, for callers that treat some of them specially. */
export class WecomError extends Error {
  override readonly name = 'WecomError';
  constructor(
    readonly errcode: number,
    readonly path: string,
    errmsg: string,
  ) {
    super(`${path} refused: ${errcode} ${errmsg}`);
  }
}

/** The session is not the bot's: a person holds it (or it is queued for one). */
export const SESSION_NOT_BOTS = 95018;
/** More than 5 messages for one customer message, or outside its 48 hours. */
export const SEND_LIMIT = 95001;
/** The access token is invalid (40014) or expired (42001): fetch a new one, try again once. */
const TOKEN_ERRORS = new Set([40014, 42001]);
/** "System busy": worth another attempt. */
const BUSY = -1;

type Result = Record<string, unknown> & { errcode?: number; errmsg?: string };

export function createWecomApi(options: WecomApiOptions): WecomApi {
  const doFetch = options.fetch ?? fetch;
  const attempts = options.attempts ?? 3;
  let cached: { token: string; until: number } | undefined;
  let fetching: Promise<string> | undefined;

  async function request(url: URL, body?: unknown): Promise<Result> {
    const response = await doFetch(url, {
      ...(body === undefined
        ? {}
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`WeCom answered HTTP ${response.status}`);
    return (await response.json()) as Result;
  }

  function token(): Promise<string> {
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.token);
    fetching ??= (async () => {
      try {
        const url = new URL('/cgi-bin/gettoken', options.base);
        url.search = new URLSearchParams({
          corpid: options.corpId,
          corpsecret: options.secret,
        }).toString();
        const result = await request(url);
        if (typeof result.access_token !== 'string')
          throw new WecomError(result.errcode ?? 0, 'gettoken', result.errmsg ?? '');
        // Renewed five minutes early, so a token never expires between fetch and use.
        const life = Math.max(60, Number(result.expires_in ?? 7200) - 300);
        cached = { token: result.access_token, until: Date.now() + life * 1000 };
        return result.access_token;
      } finally {
        fetching = undefined;
      }
    })();
    return fetching;
  }

  /**
   * One API call: a rejected token is fetched again and the call made once more; a network
   * failure or "busy" is tried again (logged, without the body: it holds people's words);
   * any other refusal is thrown at once as a WecomError, for the caller to judge.
   */
  async function call(path: string, body: unknown): Promise<Result> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let result: Result;
      try {
        const url = new URL(path, options.base);
        url.searchParams.set('access_token', await token());
        result = await request(url, body);
      } catch (error) {
        if (error instanceof WecomError && error.errcode !== BUSY) throw error;
        options.log.warn({ attempt, path, err: (error as Error).message }, 'WeCom call failed');
        if (attempt >= attempts) throw error;
        await pause(attempt);
        continue;
      }
      const errcode = result.errcode ?? 0;
      if (errcode === 0) return result;
      if (TOKEN_ERRORS.has(errcode) && !refreshed) {
        refreshed = true;
        cached = undefined;
        options.log.warn({ path, errcode }, 'WeCom access token rejected; fetching a new one');
        attempt--;
        continue;
      }
      if (errcode === BUSY && attempt < attempts) {
        options.log.warn({ attempt, path, errcode }, 'WeCom busy; trying again');
        await pause(attempt);
        continue;
      }
      throw new WecomError(errcode, path, result.errmsg ?? '');
    }
  }

  const content = (message: KfOutgoing) =>
    message.type === 'text'
      ? { msgtype: 'text', text: { content: message.content } }
      : {
          msgtype: 'msgmenu',
          msgmenu: {
            head_content: message.head,
            list: message.items.map((item) => ({ type: 'click', click: item })),
          },
        };

  return {
    async syncMsg({ openKfId, cursor, token: callbackToken }) {
      const result = await call('/cgi-bin/kf/sync_msg', {
        open_kfid: openKfId,
        limit: 1000,
        ...(cursor ? { cursor } : {}),
        ...(callbackToken ? { token: callbackToken } : {}),
      });
      const list = Array.isArray(result.msg_list) ? (result.msg_list as KfItem[]) : [];
      return {
        nextCursor: typeof result.next_cursor === 'string' ? result.next_cursor : (cursor ?? ''),
        hasMore: Number(result.has_more ?? 0) === 1,
        items: list.filter((item) => typeof item.msgid === 'string'),
      };
    },
    async send(externalUserId, openKfId, message) {
      // One msgid (≤ 32 bytes of [0-9a-zA-Z_-]) for every attempt of this message: a retry
      // after a timeout names the same message. Whether WeCom drops a repeated msgid is not
      // documented (research 2026-12-02, "Could not confirm"), so retries stay few.
      await call('/cgi-bin/kf/send_msg', {
        touser: externalUserId,
        open_kfid: openKfId,
        msgid: `zh${randomBytes(12).toString('hex')}`,
        ...content(message),
      });
    },
    async sendOnEvent(code, message) {
      await call('/cgi-bin/kf/send_msg_on_event', { code, ...content(message) });
    },
    async serviceState(openKfId, externalUserId) {
      const result = await call('/cgi-bin/kf/service_state/get', {
        open_kfid: openKfId,
        external_userid: externalUserId,
      });
      return {
        state: Number(result.service_state ?? 0),
        servicerUserId:
          typeof result.servicer_userid === 'string' && result.servicer_userid !== ''
            ? result.servicer_userid
            : undefined,
      };
    },
    async transferState(openKfId, externalUserId, state, servicerUserId) {
      const result = await call('/cgi-bin/kf/service_state/trans', {
        open_kfid: openKfId,
        external_userid: externalUserId,
        service_state: state,
        ...(servicerUserId ? { servicer_userid: servicerUserId } : {}),
      });
      return { msgCode: typeof result.msg_code === 'string' ? result.msg_code : undefined };
    },
  };
}

const pause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
