import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { ConversationService } from '../../core/conversation.js';
import { detectLanguage } from '../../core/language.js';
import type { Lang } from '../../shared/types.js';
import type { Turned } from '../../core/conversation.js';
import type { SharedValues } from '../../core/ports.js';
import type { Translators } from '../../i18n/index.js';
import type { Logger } from '../../log.js';
import type { AssistantMetrics } from '../../metrics/assistant.js';
import type { OaApi } from './api.js';
import { UnavailableError } from '../../shared/errors.js';
import { aesKey, CryptoError, decrypt, encrypt, sameSignature, signature } from './crypto.js';
import { createOutbox } from './outbox.js';
import { refuse, type RefusalCause } from './refusals.js';
export { refusals, type RefusalCause } from './refusals.js';
import { OA_MAX_BYTES, packForOa } from './pack.js';
import { createKeyedQueue } from '../../shared/keyed-queue.js';
import { buildXml, encryptField, parseXml, type Inbound } from './xml.js';
import { ClientGoneError, readBody } from '../http/body.js';

export interface OaSettings {
  token: string;
  /** Required in safe mode (the encrypted messages name it) and for customer-service. */
  appId: string | undefined;
  /** Safe mode when set: every message encrypted, and every reply too. */
  encodingAesKey: string | undefined;
  mode: 'passive' | 'customer-service';
  path: string;
}

export interface OaDeps {
  service: ConversationService;
  /** Where the rest of long answers and recent replies are kept (shared through Redis). */
  shared: SharedValues;
  translators: Translators;
  settings: OaSettings;
  log: Logger;
  /** The customer-service API (customer-service mode only). */
  api?: OaApi;
  logContent?: boolean;
  /** Counts refused signatures and failed requests (serve's /metrics). */
  metrics?: Pick<AssistantMetrics, 'signatureFailed' | 'channelError'>;
  /** Milliseconds since the epoch, for the signed timestamps' freshness (tests move it). */
  clock?: () => number;
}

/** In customer-service mode, WeChat takes at most this many messages per user message. */
const MAX_CS_MESSAGES = 5;
/** What a user sends for the next part of a long answer. */
const MORE = new Set(['继续', '更多', '下一页', 'more', 'continue', 'next']);
/**
 * A signed request is accepted this far from the server's clock, either way (red-team M8);
 * its nonce is remembered for twice as long, the whole span in which it could be accepted.
 */
const MAX_SKEW_MS = 5 * 60_000;
/** One message's text already packed (a page kept for "继续", an apology), and its language. */
interface Page {
  page: string;
  lang: Lang;
}

/** A reply ready later than this after the request is left for WeChat's retry (it waits 5 s). */
const REPLY_DEADLINE_MS = 4_500;
/** What a request gets when its reply is not ready by the deadline: no response at all. */
const LATE = Symbol('late');
/** A retried message id answered from the first attempt's reply for this long. */
const RETRY_MEMORY_MS = 60_000;

/**
 * The Official Account webhook (`npm run serve`): verifies WeChat's signatures (and decrypts
 * and encrypts in safe mode), hands text to the conversation service, and answers either
 * passively (one reply of ≤ 2,048 bytes within WeChat's 5 seconds; the rest on "继续") or
 * through the customer-service API (up to 5 messages per user message). A message WeChat
 * retries is never run twice.
 */
export function createOaHandler(deps: OaDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { settings, log, service } = deps;
  const clock = deps.clock ?? Date.now;
  const key = settings.encodingAesKey ? aesKey(settings.encodingAesKey) : undefined;
  const outbox = createOutbox(deps.shared);
  const answered = new Map<string, Promise<string | typeof LATE>>();
  // Customer-service sends to one user go out in order, one after another.
  const sending = createKeyedQueue();
  // Erasing a user's remembered replies, one at a time in this process.
  const listing = createKeyedQueue();

  return (req, res) => {
    void handle(req, res)
      .then(() => {
        // Each refusal is logged once, with its cause, where it is decided (refusals.ts).
        if (res.statusCode === 401) deps.metrics?.signatureFailed();
      })
      .catch((error: unknown) => {
        if (error instanceof ClientGoneError) return log.warn(error.message);
        deps.metrics?.channelError('oa');
        log.error({ err: error }, 'webhook request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // WeChat's 5 s, less a margin for the way back: monotonic enough (Date.now), never the
    // injected clock, which tests hold still.
    const deadline = Date.now() + REPLY_DEADLINE_MS;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== settings.path) return void res.writeHead(404).end();
    const q = url.searchParams;
    const timestamp = q.get('timestamp') ?? '';
    const nonce = q.get('nonce') ?? '';
    const refused = (cause: RefusalCause, status = 401) => {
      refuse(log, cause);
      res.writeHead(status).end();
    };
    const plainOk = sameSignature(
      signature(settings.token, timestamp, nonce),
      q.get('signature') ?? undefined,
    );
    if (req.method === 'GET') {
      // URL verification in the admin console: echo only on a valid, current signature.
      if (!plainOk) return refused('bad-signature');
      if (!fresh(timestamp)) return refused('stale-timestamp');
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(q.get('echostr') ?? '');
    }
    if (req.method !== 'POST') return void res.writeHead(405).end();
    // Plain mode: nothing unsigned is even read. Safe mode signs the Encrypt field, which is
    // found by a scan, not the XML parser: an unsigned body costs no parse (red-team m38),
    // and nothing else in the outer body is used.
    if (!key && !plainOk) return refused('bad-signature');
    const body = await readBody(req);
    if (body === undefined) return void res.writeHead(413).end();
    let message: Inbound | undefined;
    if (key) {
      const encrypted = encryptField(body);
      if (!encrypted) return refused('safe-mode-without-encrypt');
      if (
        !sameSignature(
          signature(settings.token, timestamp, nonce, encrypted),
          q.get('msg_signature') ?? undefined,
        )
      )
        return refused('bad-signature');
      if (!fresh(timestamp)) return refused('stale-timestamp');
      try {
        const inner = decrypt(key, encrypted);
        if (settings.appId && inner.appId !== settings.appId) return refused('appid-mismatch', 403);
        message = parseXml(inner.message);
      } catch (error) {
        if (!(error instanceof CryptoError)) throw error;
        return void res.writeHead(400).end();
      }
      if (!message) return void res.writeHead(400).end();
    } else {
      const outer = parseXml(body);
      if (!outer) return void res.writeHead(400).end();
      message = outer;
      if (!fresh(timestamp)) return refused('stale-timestamp');
      // A safe-mode push carries only ToUserName and Encrypt: answering "success" would
      // ignore every user in silence (red-team M10). Compatible mode also carries the plain
      // fields, and is answered from them.
      if (outer.Encrypt && !outer.FromUserName) return refused('encrypted-without-aes-key');
    }
    // Used once: a captured signed query (plain mode signs no body) or an exact copy of a
    // request is not handled again (red-team M8). The same body again is WeChat retrying,
    // which gets only what the first attempt answered, never a new turn.
    const digest = createHash('sha256').update(body).digest('base64');
    const held = await deps.shared
      .claim(`oa-nonce:${timestamp}:${nonce}`, digest, 2 * MAX_SKEW_MS)
      .catch(() => undefined);
    if (held !== undefined && held !== digest) return refused('reused-nonce');

    const reply = await beforeDeadline(answer(message, held !== undefined, deadline), deadline);
    if (reply === LATE) {
      // No answer at all, so that WeChat retries this MsgId: the work goes on, and its reply
      // is kept (in this process and the shared values) for the retry (red-team M9).
      log.warn('reply not ready within WeChat’s 5 s; kept for its retry');
      setTimeout(() => res.destroy(), Math.max(0, deadline + 1_500 - Date.now())).unref();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' });
    res.end(reply === undefined ? 'success' : seal(reply, timestamp, nonce));
  }

  /** A signed timestamp within MAX_SKEW_MS of this server's clock, either way. */
  function fresh(timestamp: string): boolean {
    if (!/^\d{1,12}$/.test(timestamp)) return false;
    return Math.abs(clock() - Number(timestamp) * 1000) <= MAX_SKEW_MS;
  }

  /** The passive reply XML (unencrypted), or undefined for "success" (nothing to say now). */
  async function answer(
    message: Inbound,
    retryOnly: boolean,
    deadline: number,
  ): Promise<string | undefined | typeof LATE> {
    const openId = message.FromUserName ?? '';
    const account = message.ToUserName ?? '';
    if (!openId) return undefined;
    const user = `oa:${settings.appId ?? account}:${openId}`;
    // A retry of a message still being answered (or just answered) gets the same reply.
    const msgKey = message.MsgId ? `${user}:${message.MsgId}` : undefined;
    const known = msgKey ? answered.get(msgKey) : undefined;
    if (known) return (await known) || undefined;
    if (retryOnly)
      return msgKey && settings.mode === 'passive'
        ? waitForReply(`oa-reply:${msgKey}`, deadline)
        : undefined;
    const work = turn(message, user)
      .catch((error: unknown) => unavailable(error, message))
      .then(async (replies) => {
        const reply = await deliver(replies, user, openId, account);
        if (replies !== undefined && 'erased' in replies && replies.erased)
          await eraseReplies(user, msgKey);
        if (msgKey && reply !== undefined) await rememberReply(user, msgKey, reply);
        // Nothing to say may mean another worker is answering this very message (WeChat's retry
        // reached this one): that worker's reply is waited for, within WeChat's 5 seconds. Not
        // when a person holds the conversation: then the bot is quiet on purpose (handoff events).
        if (
          settings.mode === 'passive' &&
          msgKey &&
          reply === undefined &&
          replies !== undefined &&
          'replies' in replies &&
          replies.replies.length === 0 &&
          !replies.handoff?.length &&
          message.MsgType === 'text'
        )
          return waitForReply(`oa-reply:${msgKey}`, deadline);
        return reply;
      });
    if (msgKey) {
      // A failed attempt is forgotten at once (its rejection handled here, never left
      // floating), so WeChat's retry gets a fresh try rather than the same failure.
      // So is one that found nothing to say in time (another worker's reply not yet there).
      const forget = () => {
        if (answered.get(msgKey) === remembered) answered.delete(msgKey);
      };
      const remembered = work.then(
        (x) => {
          if (x === LATE) forget();
          return x ?? '';
        },
        () => {
          forget();
          return '';
        },
      );
      answered.set(msgKey, remembered);
      setTimeout(() => answered.delete(msgKey), RETRY_MEMORY_MS).unref();
    }
    return work;
  }

  /**
   * Keeps a reply for WeChat's retries of its message, and its key in the user's set, so that
   * `forget` can erase every copy (red-team m23: the plan text outlived the erase by 60 s).
   * A set, added to atomically: two workers answering one user each keep their key (a list
   * read, changed and written back lost one; review finding 11).
   */
  async function rememberReply(user: string, msgKey: string, reply: string): Promise<void> {
    await deps.shared.set(`oa-reply:${msgKey}`, reply, RETRY_MEMORY_MS).catch(() => undefined);
    await deps.shared
      .addMember(`oa-reply-keys:${user}`, msgKey, RETRY_MEMORY_MS)
      .catch(() => undefined);
  }

  /**
   * After `forget`: every reply remembered for this user's retries, in this process and in the
   * shared values, except the one to the erasing message itself (it quotes nothing).
   */
  async function eraseReplies(user: string, except: string | undefined): Promise<void> {
    for (const msgKey of [...answered.keys()])
      if (msgKey.startsWith(`${user}:`) && msgKey !== except) answered.delete(msgKey);
    await listing
      .run(user, async () => {
        const keys = [
          ...(await deps.shared.members(`oa-reply-keys:${user}`)),
          // The list kept before the set (a reply remembered by a worker not yet upgraded).
          ...remembered(await deps.shared.get(`oa-replies:${user}`)),
        ];
        await Promise.all(
          keys.filter((k) => k !== except).map((k) => deps.shared.delete(`oa-reply:${k}`)),
        );
        await deps.shared.delete(`oa-reply-keys:${user}`);
        await deps.shared.delete(`oa-replies:${user}`);
      })
      .catch((error: unknown) =>
        log.error({ err: (error as Error).message }, 'replies kept for retries not erased'),
      );
  }

  /**
   * What a user hears when the shared store fails before the conversation could answer (the
   * outbox in Redis, newcomer F1): "send that again in a moment", as the conversation service
   * says for its own store, never an HTTP 500. Anything else is a bug and reaches the
   * request's boundary.
   */
  function unavailable(error: unknown, message: Inbound): Page {
    if (!(error instanceof UnavailableError)) throw error;
    log.error({ err: error.message }, 'shared store unavailable; user asked to send again');
    // The session cannot be read either: the language of what the user just wrote.
    const lang = detectLanguage((message.Content ?? '').slice(0, 200));
    return { page: deps.translators(lang)('common:unavailable'), lang };
  }

  /** What the conversation says to this push; undefined when it says nothing. */
  async function turn(message: Inbound, user: string): Promise<Turned | Page | undefined> {
    log.info(
      {
        type: message.MsgType,
        event: message.Event,
        ...(deps.logContent ? { text: message.Content } : {}),
      },
      'oa message',
    );
    switch (message.MsgType) {
      case 'text': {
        const text = message.Content ?? '';
        if (MORE.has(text.trim().toLowerCase())) {
          const page = await outbox.next(user);
          if (page !== undefined) return page;
        }
        await outbox.clear(user);
        return service.handle({
          userId: user,
          text,
          channel: 'oa',
          ...(message.MsgId ? { messageId: message.MsgId } : {}),
        });
      }
      case 'event':
        if (message.Event === 'subscribe') {
          await outbox.clear(user);
          return (
            (await service.resume(user)) ??
            service.handle({ userId: user, text: '你好', channel: 'oa' })
          );
        }
        return undefined;
      case 'image':
      case 'voice':
      case 'video':
      case 'shortvideo':
      case 'location':
      case 'link':
      case 'file':
        return service.handleMedia(user);
      default:
        return undefined;
    }
  }

  /** Another worker's reply to this message, or LATE: then WeChat is left to retry. */
  async function waitForReply(key: string, deadline: number): Promise<string | typeof LATE> {
    while (Date.now() < deadline) {
      const stored = await deps.shared.get(key).catch(() => undefined);
      if (stored !== undefined) return stored;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return LATE;
  }

  /** Passive: the first page as the reply. Customer-service: "success" now, pages sent after. */
  async function deliver(
    turned: Turned | Page | undefined,
    user: string,
    openId: string,
    account: string,
  ): Promise<string | undefined> {
    if (turned === undefined) return undefined;
    const replies = 'page' in turned ? turned.page : turned.replies;
    if (replies.length === 0) return undefined;
    const { lang } = turned;
    const hint = `\n\n${deps.translators(lang)('common:oa.more')}`;
    const room = OA_MAX_BYTES - Buffer.byteLength(hint);
    const cs = settings.mode === 'customer-service';
    const pages = typeof replies === 'string' ? [replies] : packForOa(replies, room, cs);
    // At most one page (passive) or five (customer-service) now; the rest on "继续".
    const now = pages.slice(0, cs ? MAX_CS_MESSAGES : 1);
    const later = pages.slice(now.length);
    // The turn is saved by now: a shared store that fails here costs the rest of a long
    // answer (logged), never the page the user is waiting for.
    let pending = later.length > 0 || (await outbox.left(user).catch(() => 0)) > 0;
    if (later.length > 0)
      await outbox.put(user, later, lang).catch((error: unknown) => {
        pending = false;
        log.error({ err: (error as Error).message }, 'the rest of a long answer was not kept');
      });
    if (pending) now[now.length - 1] = `${now.at(-1) ?? ''}${hint}`;
    if (!cs)
      return buildXml({
        ToUserName: openId,
        FromUserName: account,
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'text',
        Content: now[0] ?? '',
      });
    const api = deps.api;
    if (!api) throw new Error('customer-service mode needs the API client');
    // Each page's failure is logged and given up inside; the chain itself never fails.
    sending
      .run(user, async () => {
        for (const page of now) {
          await api
            .sendText(openId, page)
            .catch((error: unknown) =>
              log.error({ err: (error as Error).message }, 'customer-service message given up'),
            );
        }
      })
      .catch(() => undefined);
    return undefined;
  }

  /** The reply as WeChat expects it: as is, or encrypted and signed in safe mode. */
  function seal(xml: string, timestamp: string, nonce: string): string {
    if (!key) return xml;
    const encrypted = encrypt(key, xml, settings.appId ?? '');
    const ts = timestamp || String(Math.floor(Date.now() / 1000));
    const n = nonce || randomBytes(8).toString('hex');
    return buildXml({
      Encrypt: encrypted,
      MsgSignature: signature(settings.token, ts, n, encrypted),
      TimeStamp: Number(ts),
      Nonce: n,
    });
  }
}

/** The message keys in a user's list of remembered replies (anything unreadable: none). */
function remembered(raw: string | undefined): string[] {
  try {
    const keys: unknown = JSON.parse(raw ?? '[]');
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

/** Listens on host:port; resolves with the server once it accepts connections. */
export function listen(
  handler: ReturnType<typeof createOaHandler>,
  port: number,
  host: string,
): Promise<Server> {
  // WeChat waits 5 s; a client that holds a connection longer is not WeChat. Node checks
  // these timeouts only every connectionsCheckingInterval (30 s by default), so slow
  // connections lived up to 32 s (red-team m20): checked every second instead.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, handler);
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** The work's result, or LATE once the deadline has passed (the work itself goes on). */
function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
