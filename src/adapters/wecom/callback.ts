import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log.js';
import { aesKey, CryptoError, decrypt, sameSignature, signature } from '../oa/crypto.js';
import { encryptField, parseXml } from '../oa/xml.js';
import { readBody } from '../http/body.js';

export interface KfCallbackSettings {
  corpId: string;
  token: string;
  encodingAesKey: string;
}

/** What a callback says: new messages or events wait for this account, to be pulled with this token. */
export interface KfNotice {
  openKfId: string;
  token: string;
}

/**
 * WeCom's callback for 微信客服 (served at /wechat/kf). The URL check (GET) is answered with the
 * decrypted `echostr`, as plain text with nothing around it; a POST is signed (msg_signature
 * over the Encrypt field), AES-encrypted with the EncodingAESKey, and names the CorpID as its
 * receive-id (WeCom document 96466; the scheme of ../oa/crypto.ts). A callback carries no
 * message, only "kf_msg_or_event" with a Token and the account: it is answered at once (WeCom
 * waits 5 seconds, then retries) and `onNotice` pulls afterwards.
 */
export function createKfCallback(
  settings: KfCallbackSettings,
  onNotice: (notice: KfNotice) => void,
  log: Logger,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const key = aesKey(settings.encodingAesKey);

  /** The decrypted text if signed by our Token and meant for our CorpID; else why not. */
  function open(
    q: URLSearchParams,
    encrypted: string,
  ): { message: string } | { refused: number; why: string } {
    const timestamp = q.get('timestamp') ?? '';
    const nonce = q.get('nonce') ?? '';
    const expected = signature(settings.token, timestamp, nonce, encrypted);
    if (!sameSignature(expected, q.get('msg_signature') ?? undefined))
      return { refused: 401, why: 'bad signature' };
    try {
      const inner = decrypt(key, encrypted);
      if (inner.appId !== settings.corpId) return { refused: 403, why: 'another receive-id' };
      return { message: inner.message };
    } catch (error) {
      if (!(error instanceof CryptoError)) throw error;
      return { refused: 400, why: 'cannot decrypt' };
    }
  }

  const refuse = (res: ServerResponse, status: number, why: string) => {
    log.warn({ status, why }, '微信客服 callback refused');
    res.writeHead(status).end();
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const q = url.searchParams;
    if (req.method === 'GET') {
      const opened = open(q, q.get('echostr') ?? '');
      if ('refused' in opened) return refuse(res, opened.refused, opened.why);
      // No quotes, no BOM, no newline: WeCom compares the body with what it sent.
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(opened.message);
    }
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const body = await readBody(req);
    if (body === undefined) return refuse(res, 413, 'body too large');
    // Found by a scan, not a parse: an unsigned body costs no XML parse before its 401 (red-team
    // m38, as on the Official Account's safe mode). Only the decrypted inner message is parsed.
    const encrypted = encryptField(body);
    if (!encrypted) return refuse(res, 400, 'no Encrypt field');
    const opened = open(q, encrypted);
    if ('refused' in opened) return refuse(res, opened.refused, opened.why);
    const inner = parseXml(opened.message) as Record<string, string | undefined> | undefined;
    // Answered before any pull: an empty 200 stops WeCom's retries.
    res.writeHead(200, { 'content-type': 'text/plain' }).end('success');
    const openKfId = inner?.OpenKfId;
    if (inner?.Event === 'kf_msg_or_event' && openKfId)
      onNotice({ openKfId, token: inner.Token ?? '' });
  };
}
