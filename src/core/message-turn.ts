import { isStoreFull, UnavailableError } from '../shared/errors.js';
import { DEFAULT_LANG, type Lang } from '../shared/types.js';
import type { Turned } from './conversation.js';
import type { Engine, Inbound } from './engine.js';
import { detectLanguage } from './language.js';
import type { Deduplicator, SessionStore, Verdict } from './ports.js';
import type { Reply } from './replies.js';
import type { SessionUpdater } from './session-update.js';

/** What one message's handling needs of the conversation service. */
export interface MessageContext extends SessionUpdater {
  readonly engine: Engine;
  store: SessionStore;
  dedup: Deduplicator;
  clock(): Date;
  report(error: unknown, userId: string): void;
  /** The flood gate's verdict, or 'unavailable' when a remote gate failed. */
  gate(key: string): Promise<Verdict | 'unavailable'>;
  serialised<T>(userId: string, work: () => Promise<T>): Promise<T>;
}

/**
 * One text message: deduplicated by the channel's message id, through the flood gate, queued
 * behind the user's earlier messages, then the engine on the stored session. This is the
 * error boundary for one message: whatever fails (a store write on a full disk, Redis gone, a
 * bug), this user hears "please send that again" and everyone else goes on.
 */
export async function handleMessage(ctx: MessageContext, inbound: Inbound): Promise<Turned> {
  const fallback = inbound.lang ?? detectLanguage(inbound.text.slice(0, 200));
  const said = (replies: Reply[], lang: Lang = fallback): Turned => ({ replies, lang });
  // A channel that retries (the Official Account) sends the same message id again: a
  // repeat is never handled twice. Ids are unique only per sender and account (two
  // accounts on one Redis, red-team m18): the user id, which names both, is in the key.
  if (inbound.messageId !== undefined) {
    const first = await Promise.resolve(
      ctx.dedup.first(`${inbound.channel ?? 'unknown'}:${inbound.userId}:${inbound.messageId}`),
    ).catch((error: unknown) => {
      ctx.report(error, inbound.userId);
      // A full store cannot remember the id: handled, so that `forget` still works (m22).
      return isStoreFull(error) ? true : undefined;
    });
    if (first === undefined) return said(ctx.engine.sorry(fallback, 'unavailable'));
    if (!first) return said([]);
  }
  // Checked before queueing, so a flood neither builds a queue nor touches the session.
  const verdict = await ctx.gate(inbound.userId);
  if (verdict === 'unavailable') return said(ctx.engine.sorry(fallback, 'unavailable'));
  if (verdict === 'drop') return said([]);
  // Queued behind the user's earlier messages, so "slow down" comes after their replies.
  if (verdict === 'warn')
    return ctx.serialised(inbound.userId, async () => {
      const lang = await langOf(ctx.store, inbound.userId, fallback);
      return said(ctx.engine.slowDown(lang), lang);
    });
  return ctx.serialised(inbound.userId, async () => {
    let lang = inbound.lang;
    try {
      const outcome = await ctx.update(
        inbound.userId,
        (session) => {
          lang = session?.lang ?? lang;
          return ctx.engine.handle(session, inbound, ctx.clock());
        },
        'message',
      );
      // The conversation was there and the store lost it: said, rather than a silent restart.
      const replies = ctx.store.lost?.(inbound.userId)
        ? [...ctx.engine.lost(outcome.lang), ...outcome.replies]
        : outcome.replies;
      const turned: Turned = outcome.handoff
        ? { ...said(replies, outcome.lang), handoff: outcome.handoff }
        : said(replies, outcome.lang);
      return outcome.session === null ? { ...turned, erased: true } : turned;
    } catch (error) {
      ctx.report(error, inbound.userId);
      const reason = error instanceof UnavailableError ? 'unavailable' : 'error';
      return said(ctx.engine.sorry(lang ?? fallback, reason), lang ?? fallback);
    }
  });
}

/** A picture, sticker or voice message: a request for words; counted like words by the gate. */
export async function handleMedia(ctx: MessageContext, userId: string): Promise<Turned> {
  const verdict = await ctx.gate(userId);
  if (verdict === 'drop') return { replies: [], lang: DEFAULT_LANG };
  return ctx.serialised(userId, async () => {
    const session = (await ctx.store.read(userId).catch(() => undefined))?.value;
    const lang = session?.lang ?? DEFAULT_LANG;
    if (verdict === 'unavailable') return { replies: ctx.engine.sorry(lang, 'unavailable'), lang };
    // With a person, the bot does not answer a picture either: the person is told of it.
    const held = session?.handoff;
    if (held && verdict === 'ok')
      return {
        replies: [],
        lang,
        handoff: [{ type: 'user-message', ref: held.ref, text: '', media: true }],
      };
    const replies = verdict === 'warn' ? ctx.engine.slowDown(lang) : ctx.engine.media(session);
    return { replies, lang };
  });
}

/** The user's language for a reply outside the conversation ("slow down"). */
async function langOf(store: SessionStore, userId: string, fallback: Lang): Promise<Lang> {
  return (await store.read(userId).catch(() => undefined))?.value.lang ?? fallback;
}
