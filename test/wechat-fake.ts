import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { decrypt as wecomDecrypt, encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import { signature } from '../src/adapters/oa/crypto.js';
import { buildXml, parseXml } from '../src/adapters/oa/xml.js';

export interface FakeWeChatOptions {
  url: string;
  token: string;
  appId: string;
  /** Safe mode: messages encrypted with @wecom/crypto, replies decrypted with it. */
  encodingAesKey?: string;
  account?: string;
}

export interface Pushed {
  status: number;
  body: string;
  /** The reply's Content (decrypted in safe mode), or undefined for "success"/empty. */
  content: string | undefined;
}

/**
 * Plays WeChat's side of an Official Account: signs (and in safe mode encrypts, with the
 * published @wecom/crypto implementation) each push as WeChat does, and reads the reply the
 * same way, checking its signature.
 */
export function fakeWeChat(options: FakeWeChatOptions) {
  let msgId = 7_000_000_000_000_000n;
  const account = options.account ?? 'gh_fake';

  async function post(inner: Record<string, string | number>, tamper = false): Promise<Pushed> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(6).toString('hex');
    const xml = buildXml(inner);
    const query = new URLSearchParams({
      timestamp,
      nonce,
      signature: signature(options.token, timestamp, nonce),
    });
    let body = xml;
    if (options.encodingAesKey) {
      const encrypted = wecomEncrypt(options.encodingAesKey, xml, options.appId);
      query.set('encrypt_type', 'aes');
      query.set('msg_signature', getSignature(options.token, timestamp, nonce, encrypted));
      body = buildXml({ ToUserName: account, Encrypt: encrypted });
    }
    if (tamper) query.set(options.encodingAesKey ? 'msg_signature' : 'signature', '0'.repeat(40));
    const response = await fetch(`${options.url}?${query.toString()}`, { method: 'POST', body });
    const text = await response.text();
    return { status: response.status, body: text, content: contentOf(text) };
  }

  function contentOf(text: string): string | undefined {
    if (text === '' || text === 'success') return undefined;
    let xml = parseXml(text);
    if (options.encodingAesKey && xml?.Encrypt) {
      const outer = xml;
      const expected = getSignature(
        options.token,
        String(outer.TimeStamp ?? ''),
        String(outer.Nonce ?? ''),
        outer.Encrypt ?? '',
      );
      if (expected !== outer.MsgSignature) throw new Error('reply signature is wrong');
      const { message, id } = wecomDecrypt(options.encodingAesKey, outer.Encrypt ?? '');
      if (id !== options.appId) throw new Error(`reply encrypted for ${id}`);
      xml = parseXml(message);
    }
    return xml?.Content;
  }

  return {
    url: options.url,
    /** A text message from this openid; `id` repeats a MsgId (a retry). */
    text: (openId: string, content: string, id?: string, tamper = false) =>
      post(
        {
          ToUserName: account,
          FromUserName: openId,
          CreateTime: Math.floor(Date.now() / 1000),
          MsgType: 'text',
          Content: content,
          MsgId: id ?? String(msgId++),
        },
        tamper,
      ),
    event: (openId: string, event: string) =>
      post({
        ToUserName: account,
        FromUserName: openId,
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'event',
        Event: event,
      }),
    media: (openId: string, type: string) =>
      post({
        ToUserName: account,
        FromUserName: openId,
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: type,
        MediaId: 'media-1',
        MsgId: String(msgId++),
      }),
  };
}

export interface FakeApi {
  base: string;
  sent: Array<{ touser: string; content: string; token: string }>;
  tokensIssued: number;
  /** Makes the next send fail with this errcode (e.g. 42001: token expired). */
  failNext(errcode: number): void;
  close(): Promise<void>;
}

/** WeChat's API on loopback: issues access tokens and records customer-service sends. */
export async function fakeApi(appId: string, appSecret: string): Promise<FakeApi> {
  const api: Omit<FakeApi, 'base' | 'close'> & { failing: number[] } = {
    sent: [],
    tokensIssued: 0,
    failing: [],
    failNext(errcode) {
      this.failing.push(errcode);
    },
  };
  const valid = new Set<string>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (value: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (url.pathname === '/cgi-bin/token') {
      if (url.searchParams.get('appid') !== appId || url.searchParams.get('secret') !== appSecret)
        return json({ errcode: 40013, errmsg: 'invalid appid' });
      const token = `token-${++api.tokensIssued}`;
      valid.add(token);
      return json({ access_token: token, expires_in: 7200 });
    }
    if (url.pathname === '/cgi-bin/message/custom/send') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const token = url.searchParams.get('access_token') ?? '';
        const failing = api.failing.shift();
        if (failing !== undefined) {
          if (failing === 42001) valid.delete(token);
          return json({ errcode: failing, errmsg: 'fake failure' });
        }
        if (!valid.has(token)) return json({ errcode: 40001, errmsg: 'invalid credential' });
        const parsed = JSON.parse(body) as { touser: string; text: { content: string } };
        api.sent.push({ touser: parsed.touser, content: parsed.text.content, token });
        json({ errcode: 0, errmsg: 'ok' });
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(api, {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
