import type { ConversationService, Turned } from '../../core/conversation.js';
import type { HandoffBus } from '../../core/handoff-bus.js';
import type { Logger } from '../../log.js';
import {
  actOn,
  applyEvents,
  CASE_FIELDS,
  deliveryQueue,
  eventNotice,
  forgetUser,
  publish,
  senderBeat,
  takeDeliveries,
  type DeskDeps,
  type Sender,
  type Undelivered,
} from '../handoff/desk.js';
import { createOpenCases } from '../handoff/open-cases.js';
import { observedService } from '../handoff/observed.js';
import { OA_FINAL_ERRORS, OaSendError, type OaApi } from './api.js';
import { OA_MAX_BYTES, packForOa } from './pack.js';

/**
 * WeChat's customer-service rule for a user's message (docs/content-sources.md, "Official
 * Account customer-service facts"): at most 5 messages, within 48 hours of it; the user's next
 * message starts again.
 */
export const OA_WINDOW_MS = 48 * 3_600_000;
export const OA_MESSAGES_PER_USER_MESSAGE = 5;

/** How often the queued operators' words are sent, and the timeouts checked. */
const DRAIN_MS = 1_000;
const EXPIRE_MS = 30_000;

export interface OaHandoffDeps {
  bus: HandoffBus;
  service: ConversationService;
  /** The customer-service API; undefined: this process cannot send (the words stay queued). */
  api: OaApi | undefined;
  log: Logger;
  clock: () => Date;
  /** Customer-service mode: the bot's own replies use messages of the same window. */
  mode: 'passive' | 'customer-service';
}

/** The user's last message and the messages sent since, per user, in the handoff's shared fields. */
interface Window {
  since: string;
  used: number;
}

const windowOf = (raw: string | undefined): Window | undefined => {
  try {
    const w = raw === undefined ? undefined : (JSON.parse(raw) as Partial<Window> | null);
    return w && typeof w.since === 'string' && typeof w.used === 'number'
      ? { since: w.since, used: w.used }
      : undefined;
  } catch {
    return undefined;
  }
};

/** The openid in a user key `oa:<appid>:<openid>`. */
const openIdOf = (userId: string) => userId.split(':').slice(2).join(':');

/**
 * Handoff on the Official Account (README, "Handoff on the Official Account"): the users'
 * messages while a case is open reach the operators through the shared queues (the room, the
 * operator console), and the operators' words go out through the customer-service API within
 * its limits — 48 hours since the user's last message, 5 messages per user message. A
 * message past them is not sent and the operator is told why; so is one WeChat refuses
 * (45015, 45047, 43004). Logs carry case references and counts, never the words.
 */
export function createOaHandoff(deps: OaHandoffDeps) {
  const { bus, service, log, clock, api } = deps;
  const cases = createOpenCases(bus);
  const windows = bus.fields(CASE_FIELDS.oa ?? 'oa-window');

  /** One message of the user's window, taken atomically: why not, or undefined when taken. */
  async function take(userId: string): Promise<Undelivered | undefined> {
    let why: Undelivered | undefined;
    const now = clock().getTime();
    await windows.update(userId, (raw) => {
      const w = windowOf(raw);
      why = undefined;
      if (!w || now - Date.parse(w.since) >= OA_WINDOW_MS) why = 'window';
      else if (w.used >= OA_MESSAGES_PER_USER_MESSAGE) why = 'count';
      return why || !w ? raw : JSON.stringify({ ...w, used: w.used + 1 });
    });
    return why;
  }

  /** An operator's words to an OA user: as few messages as they fit in, each within the limits. */
  const send: Sender = async (open, replies) => {
    if (!api) return 'failed';
    for (const page of packForOa(replies, OA_MAX_BYTES, true)) {
      const why = await take(open.userId);
      const sent = why
        ? why
        : await api.sendText(open.address, page).then(() => undefined, refusal);
      if (sent) {
        log.warn({ case: open.ref, why: sent }, 'operator message not delivered');
        return sent;
      }
    }
    return undefined;
  };

  const desk: DeskDeps = { service, bus, cases, log, clock, senders: { oa: send } };
  const beat = senderBeat(bus, 'oa');

  /** After an OA user's turn with handoff events: their window opens again, the operators hear. */
  async function afterTurn(userId: string, turned: Turned): Promise<void> {
    const events = turned.handoff ?? [];
    const where = { channel: 'oa' as const, userId, address: openIdOf(userId) };
    // Erased: whatever the handoff still holds of them goes, case open or not (review
    // finding 5: after /done or a timeout, their words stayed in an untaken desk's queue).
    if (turned.erased) await forgetUser(bus, where);
    if (events.length === 0) return;
    const used =
      deps.mode === 'customer-service'
        ? Math.min(
            OA_MESSAGES_PER_USER_MESSAGE,
            packForOa(turned.replies, OA_MAX_BYTES, true).length,
          )
        : 0;
    // A case that ended here (结束人工, forget) leaves no window behind.
    if (events.some((e) => e.type === 'ended')) await windows.delete(userId);
    else await windows.set(userId, JSON.stringify({ since: clock().toISOString(), used }));
    for (const event of await applyEvents(desk, where, events)) {
      log.info({ case: event.ref, event: event.type }, 'oa handoff');
      await publish(bus, eventNotice('oa', userId, event));
    }
  }

  const observed = async (userId: string, turned: Turned): Promise<Turned> => {
    await afterTurn(userId, turned).catch((error: unknown) =>
      log.error({ err: (error as Error).message }, 'oa handoff: the operators could not be told'),
    );
    return turned;
  };

  return {
    /** The conversation service as the webhook uses it: each OA turn's events reach the operators. */
    service: observedService(service, observed),
    /** Sends an operator's words to an OA user from this process. */
    send,
    /** Sends the operators' words queued by other processes; what cannot go is reported to them. */
    async drain(): Promise<void> {
      await beat();
      for (const d of await takeDeliveries(bus, deliveryQueue('oa', ''))) {
        const open = { ref: d.ref, userId: d.userId, address: d.address };
        const why = await send(
          { ...open, channel: 'oa', state: 'human', since: '' },
          d.replies,
          d.lang,
        );
        if (why) await publish(bus, { type: 'undelivered', ref: d.ref, why, userId: d.userId });
        // The case's last words (an operator's /done from another process): its window goes.
        if (d.ends) await windows.delete(d.userId);
      }
    },
    /**
     * OA cases nobody took in time, or silent too long, go back to the bot (12348 and the plan);
     * windows past their 48 hours are dropped (they allow nothing more).
     */
    async expire(): Promise<void> {
      const now = clock().getTime();
      for (const [userId, raw] of await windows.all()) {
        const w = windowOf(raw);
        if (!w || now - Date.parse(w.since) >= OA_WINDOW_MS) await windows.delete(userId);
      }
      for (const open of await cases.all()) {
        if (open.channel !== 'oa') continue;
        const result = await actOn(desk, open, { type: 'expire' });
        if (result.type !== 'done') continue;
        for (const event of result.events)
          await publish(bus, eventNotice('oa', open.userId, event));
      }
    },
    /** Drains and expires on timers until the returned stop is called. */
    start(): () => void {
      const guard = (what: string, work: () => Promise<void>) => () =>
        void work().catch((error: unknown) =>
          log.error({ err: (error as Error).message }, `oa handoff: ${what} failed`),
        );
      guard('sending queued words', () => this.drain())();
      const timers = [
        setInterval(
          guard('sending queued words', () => this.drain()),
          DRAIN_MS,
        ),
        setInterval(
          guard('timeouts', () => this.expire()),
          EXPIRE_MS,
        ),
      ];
      for (const timer of timers) timer.unref();
      return () => timers.forEach((timer) => clearInterval(timer));
    },
  };
}

/** Why WeChat refused a message, in the operator's terms. */
function refusal(error: unknown): Undelivered {
  if (!(error instanceof OaSendError)) return 'failed';
  switch (error.errcode) {
    case OA_FINAL_ERRORS.window:
      return 'window';
    case OA_FINAL_ERRORS.count:
      return 'count';
    case OA_FINAL_ERRORS.unsubscribed:
      return 'unsubscribed';
    default:
      return 'failed';
  }
}

export type OaHandoff = ReturnType<typeof createOaHandoff>;
