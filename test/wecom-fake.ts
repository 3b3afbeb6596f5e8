import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import { buildXml } from '../src/adapters/oa/xml.js';

/** What the fake recorded of one message zhuihui sent. */
export interface KfSent {
  touser: string;
  openKfId: string;
  msgtype: 'text' | 'msgmenu';
  /** The text, or a menu as its head and numbered labels (as a person would read it). */
  content: string;
  menu?: { head: string; items: Array<{ id: string; content: string }> };
  /** Sent with send_msg_on_event (a welcome_code). */
  onEvent: boolean;
  /** The msgid zhuihui gave (send_msg only). */
  msgid?: string;
}

interface Item {
  msgid: string;
  open_kfid?: string;
  external_userid?: string;
  send_time: number;
  origin: number;
  msgtype: string;
  [field: string]: unknown;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * WeCom's API (qyapi) on loopback, as far as 微信客服 goes: gettoken; sync_msg over one log of
 * items, paged (`pageSize`), with has_more, cursors and an empty page with has_more = 1 on
 * request; send_msg that enforces WeCom's rules (5 messages per customer message within 48
 * hours: 95001; a session queued or held by a person: 95018; text ≤ 2,048 bytes); a
 * single-use welcome_code for send_msg_on_event; service_state get and trans.
 */
export async function fakeQyapi(corpId: string, secret: string, open = { pageSize: 1000 }) {
  const valid = new Set<string>();
  const log: Item[] = [];
  /** welcome_code → the customer it greets. */
  const welcome = new Map<string, string>();
  const users = new Map<
    string,
    { state: number; left: number; until: number; servicer?: string }
  >();
  let seq = 0;
  const api = {
    base: '',
    pageSize: open.pageSize,
    tokensIssued: 0,
    sent: [] as KfSent[],
    /** Every send_msg refused, with its errcode. */
    refused: [] as Array<{ touser: string; errcode: number }>,
    syncCalls: [] as Array<{ cursor: string | undefined; token: string | undefined }>,
    /** Pages with nothing in them but has_more = 1, given before the next real page. */
    emptyPages: 0,
    /** sync_msg answers after this long (a slow WeCom). */
    syncDelayMs: 0,
    /** The next sync_msg ignores its cursor and starts again from the oldest item. */
    replayOnce: false,
    /** How many times sync_msg has returned each msgid. */
    returned: new Map<string, number>(),
    failing: [] as number[],
    /** The next send_msg fails with this errcode (42001 also invalidates the token). */
    failNext(errcode: number) {
      this.failing.push(errcode);
    },
    userOf(external: string) {
      let u = users.get(external);
      if (!u) users.set(external, (u = { state: 0, left: 0, until: 0 }));
      return u;
    },
    /** A session's service_state, as a servicer in the WeCom app would change it. */
    setState(external: string, state: number, servicer?: string) {
      const u = this.userOf(external);
      u.state = state;
      if (servicer) u.servicer = servicer;
    },
    /** Appends an item to the log, as WeCom does when something happens. */
    push(item: {
      origin: number;
      msgtype: string;
      open_kfid?: string;
      external_userid?: string;
      send_time?: number;
      [field: string]: unknown;
    }): Item {
      const full: Item = {
        ...item,
        send_time: item.send_time ?? Math.floor(Date.now() / 1000),
        msgid: `msg${++seq}`,
      };
      log.push(full);
      if (full.origin === 3 && full.external_userid) {
        const u = this.userOf(full.external_userid);
        // The next customer message renews the allowance, and reopens an ended session.
        u.left = 5;
        u.until = full.send_time * 1000 + 48 * 3_600_000;
        if (u.state === 4) u.state = 0;
      }
      return full;
    },
    /** A single-use welcome_code for an enter_session event of this customer. */
    welcomeCode(external: string) {
      const code = `wc-${randomBytes(4).toString('hex')}`;
      welcome.set(code, external);
      return code;
    },
    /** Items in the log so far (tests add a backlog before the service starts). */
    get logged() {
      return log.length;
    },
    close: async () => undefined as void,
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (value: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (url.pathname === '/cgi-bin/gettoken') {
      if (
        url.searchParams.get('corpid') !== corpId ||
        url.searchParams.get('corpsecret') !== secret
      )
        return json({ errcode: 40001, errmsg: 'invalid credential' });
      const token = `tok-${++api.tokensIssued}`;
      valid.add(token);
      return json({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const token = url.searchParams.get('access_token') ?? '';
      if (!valid.has(token)) return json({ errcode: 40014, errmsg: 'invalid access_token' });
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      switch (url.pathname) {
        case '/cgi-bin/kf/sync_msg': {
          const cursor = typeof body.cursor === 'string' ? body.cursor : undefined;
          api.syncCalls.push({ cursor, token: body.token as string | undefined });
          let from = cursor ? Number(cursor.slice(1)) : 0;
          if (api.replayOnce) {
            api.replayOnce = false;
            from = 0;
          }
          if (api.emptyPages > 0) {
            api.emptyPages--;
            return json({ errcode: 0, next_cursor: `c${from}`, has_more: 1, msg_list: [] });
          }
          const mine = log.filter(
            (item) =>
              (item.open_kfid ?? (item.event as { open_kfid?: string })?.open_kfid) ===
              body.open_kfid,
          );
          const page = mine.slice(from, from + api.pageSize);
          const to = from + page.length;
          for (const item of page)
            api.returned.set(item.msgid, (api.returned.get(item.msgid) ?? 0) + 1);
          const answer = () =>
            json({
              errcode: 0,
              next_cursor: `c${to}`,
              has_more: to < mine.length ? 1 : 0,
              msg_list: page,
            });
          if (api.syncDelayMs > 0) return void setTimeout(answer, api.syncDelayMs);
          return answer();
        }
        case '/cgi-bin/kf/send_msg':
        case '/cgi-bin/kf/send_msg_on_event': {
          const onEvent = url.pathname.endsWith('on_event');
          const failing = api.failing.shift();
          if (failing !== undefined) {
            if (failing === 42001) valid.delete(token);
            api.refused.push({ touser: String(body.touser), errcode: failing });
            return json({ errcode: failing, errmsg: 'fake failure' });
          }
          const code = String(body.code ?? '');
          const touser = onEvent ? (welcome.get(code) ?? '') : String(body.touser ?? '');
          const refuse = (errcode: number) => {
            api.refused.push({ touser, errcode });
            json({ errcode, errmsg: 'refused' });
          };
          if (onEvent && !welcome.delete(code)) return refuse(95016);
          body.touser = touser;
          const sent = record(body, onEvent);
          if (!sent) return refuse(45002);
          if (!onEvent) {
            const u = api.userOf(touser);
            if (u.state === 2 || u.state === 3) return refuse(95018);
            if (u.left <= 0 || u.until < Date.now()) return refuse(95001);
            u.left--;
            u.state = 1;
          }
          api.sent.push(sent);
          return json({ errcode: 0, errmsg: 'ok', msgid: `out${api.sent.length}` });
        }
        case '/cgi-bin/kf/service_state/get': {
          const u = api.userOf(String(body.external_userid));
          return json({ errcode: 0, service_state: u.state, servicer_userid: u.servicer ?? '' });
        }
        case '/cgi-bin/kf/service_state/trans': {
          const u = api.userOf(String(body.external_userid));
          const state = Number(body.service_state);
          if (state === 3 && !body.servicer_userid)
            return json({ errcode: 95014, errmsg: 'servicer required' });
          u.state = state;
          if (typeof body.servicer_userid === 'string') u.servicer = body.servicer_userid;
          return json({ errcode: 0, msg_code: `mc-${state}` });
        }
        default:
          res.writeHead(404).end();
      }
    });
  });

  function record(body: Record<string, unknown>, onEvent: boolean): KfSent | undefined {
    const base = {
      touser: String(body.touser ?? ''),
      openKfId: String(body.open_kfid ?? ''),
      onEvent,
      ...(typeof body.msgid === 'string' ? { msgid: body.msgid } : {}),
    };
    if (body.msgtype === 'text') {
      const content = String((body.text as { content?: string }).content ?? '');
      if (bytes(content) > 2048 || content === '') return undefined;
      return { ...base, msgtype: 'text', content };
    }
    const menu = body.msgmenu as {
      head_content: string;
      list: Array<{ type: string; click: { id: string; content: string } }>;
    };
    if (bytes(menu.head_content) > 1024) return undefined;
    const items = menu.list.map((i) => i.click);
    for (const item of items)
      if (bytes(item.id) > 64 || bytes(item.content) > 128 || !item.id) return undefined;
    return {
      ...base,
      msgtype: 'msgmenu',
      content: [menu.head_content, ...items.map((i, n) => `${n + 1}. ${i.content}`)].join('\n'),
      menu: { head: menu.head_content, items },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  api.base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  api.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return api;
}

export type FakeQyapi = Awaited<ReturnType<typeof fakeQyapi>>;

export interface KfSignerOptions {
  url: string;
  corpId: string;
  token: string;
  encodingAesKey: string;
}

/**
 * WeCom's side of the callback, signed and encrypted with the published @wecom/crypto: the URL
 * check (GET with an encrypted echostr) and "kf_msg_or_event" notices.
 */
export function kfSigner(options: KfSignerOptions) {
  const sign = (encrypted: string) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(6).toString('hex');
    return {
      timestamp,
      nonce,
      msg_signature: getSignature(options.token, timestamp, nonce, encrypted),
    };
  };
  return {
    /** The admin console's URL check: what came back, and its status. */
    async verify(echo: string, receiveId = options.corpId, tamper = false) {
      const echostr = wecomEncrypt(options.encodingAesKey, echo, receiveId);
      const q = new URLSearchParams({ ...sign(echostr), echostr });
      if (tamper) q.set('msg_signature', '0'.repeat(40));
      const response = await fetch(`${options.url}?${q.toString()}`);
      return { status: response.status, body: await response.text() };
    },
    /** "New messages or events for this account"; `token` is the callback's Token. */
    async notify(
      openKfId: string,
      token: string,
      opts: { receiveId?: string; tamper?: boolean } = {},
    ) {
      const inner = buildXml({
        ToUserName: options.corpId,
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'event',
        Event: 'kf_msg_or_event',
        Token: token,
        OpenKfId: openKfId,
      });
      const encrypted = wecomEncrypt(
        options.encodingAesKey,
        inner,
        opts.receiveId ?? options.corpId,
      );
      const q = new URLSearchParams(sign(encrypted));
      if (opts.tamper) q.set('msg_signature', '0'.repeat(40));
      const body = buildXml({ ToUserName: options.corpId, Encrypt: encrypted, AgentID: '' });
      const response = await fetch(`${options.url}?${q.toString()}`, { method: 'POST', body });
      return { status: response.status, body: await response.text() };
    },
  };
}
