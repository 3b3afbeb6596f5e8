import type { ConversationService, Operated, Turned } from '../../core/conversation.js';
import type { HandoffBus } from '../../core/handoff-bus.js';
import { caseRef, type HandoffEvent, type OperatorAction } from '../../core/handoff.js';
import type { Reply } from '../../core/replies.js';
import type { Logger } from '../../log.js';
import type { Lang } from '../../shared/types.js';
import { createOpenCases, type CaseChannel, type OpenCase, type OpenCases } from './open-cases.js';

/**
 * Why an operator's words did not reach the user. `window`: more than 48 hours since the
 * user's last message (OA 45015); `count`: the messages allowed per user message are used up
 * (OA 45047); `unsubscribed`: the user no longer follows the account (OA 43004); `failed`:
 * the channel refused or could not be reached.
 */
export type Undelivered = 'window' | 'count' | 'unsubscribed' | 'failed';

/** Where operators work: the room on the personal account, or the console (`--operator`). */
export type Desk = 'room' | 'console';
const DESKS: readonly Desk[] = ['room', 'console'];

/**
 * What the operators are told, through the shared queues, by the process that saw it.
 * `userId`: whose case it is, so that `forget` finds their items whatever reference they
 * were under (references are four hex digits and come back); not on the notice that a case
 * was erased, which then says nothing of the user.
 */
export type Notice =
  | { type: 'event'; channel: CaseChannel; event: HandoffEvent; userId?: string }
  | { type: 'undelivered'; ref: string; why: Undelivered; userId?: string };

/** A case's event as a notice for the desks. */
export function eventNotice(channel: CaseChannel, userId: string, event: HandoffEvent): Notice {
  const erased = event.type === 'ended' && event.reason === 'forget';
  return { type: 'event', channel, event, ...(erased ? {} : { userId }) };
}

/**
 * Fields a channel keeps per user while a case is open (the OA's message window, keyed by the
 * user): dropped when the case ends and on forget.
 */
export const CASE_FIELDS: Partial<Record<CaseChannel, string>> = { oa: 'oa-window' };

/** An operator's words (an action's replies) on their way to the process that reaches the user. */
export interface Delivery {
  ref: string;
  userId: string;
  address: string;
  replies: Reply[];
  lang: Lang;
  /** The case ended with these words: the sender drops the case's fields once it sent them. */
  ends?: true;
}

/** Sends a case's replies on its channel, from this process: why not, or undefined when sent. */
export type Sender = (
  open: OpenCase,
  replies: Reply[],
  lang: Lang,
) => Promise<Undelivered | undefined>;

/** The queue of deliveries for a channel's sender (each console user has their own). */
export const deliveryQueue = (channel: CaseChannel, address: string) =>
  channel === 'console' ? `deliver:console:${address}` : `deliver:${channel}`;

/** Tells the operators' desks (all but `except`, which showed it itself). */
export async function publish(bus: HandoffBus, notice: Notice, except?: Desk): Promise<void> {
  const item = JSON.stringify(notice);
  await Promise.all(
    DESKS.filter((d) => d !== except).map((d) => bus.queue(`notices:${d}`).push(item)),
  );
}

export async function takeNotices(bus: HandoffBus, desk: Desk): Promise<Notice[]> {
  return parsed<Notice>(await bus.queue(`notices:${desk}`).take());
}

export async function takeDeliveries(bus: HandoffBus, queue: string): Promise<Delivery[]> {
  return parsed<Delivery>(await bus.queue(queue).take());
}

function parsed<T>(items: string[]): T[] {
  return items.flatMap((item) => {
    try {
      return [JSON.parse(item) as T];
    } catch {
      return [];
    }
  });
}

/** An operator's line: `/list`, or a case reference and what to do with it. */
export type OperatorLine =
  { type: 'list' } | { type: 'act'; ref: string; action: (operator: string) => OperatorAction };

/** `#a1b2 words`, `#a1b2 /take`, `#a1b2 /done`: a case's reference, then what to do. */
const OPERATOR = /^#([0-9a-f]{4})\s+([^]+)$/i;

export function parseOperatorLine(text: string): OperatorLine | undefined {
  const line = text.trim();
  if (line === '/list') return { type: 'list' };
  const match = OPERATOR.exec(line);
  if (!match) return undefined;
  const [, rawRef = '', rest = ''] = match;
  const said = rest.trim();
  return {
    type: 'act',
    ref: rawRef.toLowerCase(),
    action: (operator) =>
      said === '/take'
        ? { type: 'take', operator }
        : said === '/done'
          ? { type: 'done', operator }
          : { type: 'say', operator, text: said },
  };
}

export interface DeskDeps {
  service: ConversationService;
  bus: HandoffBus;
  cases: OpenCases;
  log: Logger;
  clock: () => Date;
  /** The channels this process reaches itself; the others get the words through their queue. */
  senders: Partial<Record<CaseChannel, Sender>>;
}

/** Tries for a free reference when a new case's is held by another open case. */
const MAX_RENAMES = 8;

/**
 * The index follows a case's events (a new case opened under a free reference, renamed while
 * another user's holds it; taken; closed). Returns the events with the reference they ended
 * under, for the operators.
 */
export async function applyEvents(
  deps: Pick<DeskDeps, 'service' | 'cases' | 'clock' | 'bus'>,
  where: { channel: CaseChannel; userId: string; address: string },
  events: HandoffEvent[],
): Promise<HandoffEvent[]> {
  const { cases, service } = deps;
  const out: HandoffEvent[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'requested': {
        const since = deps.clock().toISOString();
        let ref = event.ref;
        const open = (r: string) => cases.open({ ...where, ref: r, state: 'waiting', since });
        for (let salt = 1; !(await open(ref)) && salt <= MAX_RENAMES; salt++) {
          const next = caseRef(where.userId, deps.clock(), salt);
          const renamed = await service.operate(where.userId, { type: 'rename', ref: next });
          if (typeof renamed === 'object') ref = next;
        }
        out.push({ ...event, ref });
        break;
      }
      case 'taken':
        await cases.update(event.ref, { state: 'human', operator: event.operator });
        out.push(event);
        break;
      case 'ended':
        await cases.close(event.ref);
        out.push(event);
        break;
      case 'user-message':
        out.push(event);
    }
  }
  return out;
}

/**
 * The user erased their data (`forget`; every channel calls this on an erasing turn, whether
 * or not a case is open): everything the handoff keeps of them goes — their open cases in the
 * index, their words and cases in both desks' notices (a desk that is not run never takes
 * its queue), an operator's words for them, their channel's fields. Found by user, not by
 * reference: a case that ended before (`/done`, a timeout) left items under a reference that
 * may since be another user's. Items another process takes in the same instant are the ones
 * it would have shown anyway.
 */
export async function forgetUser(
  bus: HandoffBus,
  where: { channel: CaseChannel; userId: string; address: string },
): Promise<void> {
  const cases = createOpenCases(bus);
  for (const open of await cases.all())
    if (open.userId === where.userId) await cases.close(open.ref);
  const theirs = (item: string) => {
    try {
      return (JSON.parse(item) as { userId?: unknown }).userId === where.userId;
    } catch {
      return false;
    }
  };
  const queues = [...DESKS.map((d) => `notices:${d}`), deliveryQueue(where.channel, where.address)];
  for (const name of queues) await bus.queue(name).purge(theirs);
  const field = CASE_FIELDS[where.channel];
  if (field) await bus.fields(field).delete(where.userId);
}

/**
 * A channel's sender (the OA webhook's drain, the room's poll) says it is there at most every
 * SENDER_BEAT_MS; one unseen for SENDER_GONE_MS may not be running, and the operator is told
 * (their words wait in the queue). Wall-clock time: the conversation's clock is not theirs.
 */
const SENDER_BEAT_MS = 10_000;
const SENDER_GONE_MS = 60_000;

export function senderBeat(bus: HandoffBus, channel: CaseChannel) {
  let last = 0;
  return async () => {
    if (Date.now() - last < SENDER_BEAT_MS) return;
    last = Date.now();
    await bus.fields('senders').set(channel, String(last));
  };
}

async function senderSeen(bus: HandoffBus, channel: CaseChannel): Promise<boolean> {
  const seen = Number(await bus.fields('senders').get(channel));
  return Number.isFinite(seen) && Date.now() - seen < SENDER_GONE_MS;
}

/** What an action on a case came to. */
export type ActResult =
  /** The conversation is gone or back with the bot already (the index forgets it). */
  | { type: 'unknown' }
  /** The clock's check: the case is open and nothing has run out yet. */
  | { type: 'not-due' }
  /** The session could not be changed (the store failed). */
  | { type: 'failed' }
  | {
      type: 'done';
      turned: Turned;
      events: HandoffEvent[];
      undelivered?: Undelivered;
      queued: boolean;
      /** Queued for a channel whose sender has not been seen lately (nobody may send it). */
      unsent?: true;
    };

/**
 * An operator's (or the clock's) action on an open case, from any process: the session
 * changes under the user's compare-and-set, the user's replies go out on the case's channel
 * (from here when this process reaches it, else through the channel's queue), and the index
 * follows the events.
 */
export async function actOn(
  deps: DeskDeps,
  open: OpenCase,
  action: OperatorAction,
): Promise<ActResult> {
  let turned: Operated;
  try {
    turned = await deps.service.operate(open.userId, action, open.ref);
  } catch (error) {
    deps.log.error({ case: open.ref, err: (error as Error).message }, 'operator action failed');
    return { type: 'failed' };
  }
  if (turned === 'not-due') return { type: 'not-due' };
  if (!turned) {
    // No session, or no case under this reference, behind it: the index forgets it (the
    // clock's check too, or the case would stay listed and re-run by every process).
    await deps.cases.close(open.ref);
    return { type: 'unknown' };
  }
  const sender = deps.senders[open.channel];
  const ends = turned.handoff?.some((e) => e.type === 'ended') ?? false;
  let undelivered: Undelivered | undefined;
  let queued = false;
  let unsent = false;
  if (turned.replies.length > 0) {
    if (sender) undelivered = await sender(open, turned.replies, turned.lang);
    else {
      queued = true;
      const delivery: Delivery = {
        ref: open.ref,
        userId: open.userId,
        address: open.address,
        replies: turned.replies,
        lang: turned.lang,
        ...(ends ? { ends: true as const } : {}),
      };
      await deps.bus
        .queue(deliveryQueue(open.channel, open.address))
        .push(JSON.stringify(delivery));
      unsent = open.channel !== 'console' && !(await senderSeen(deps.bus, open.channel));
    }
  }
  if (action.type === 'say')
    deps.log.info({ case: open.ref, queued }, 'handoff message to the user');
  // An ended case keeps no fields of the user (the OA window), once its last words are sent:
  // here, or by the sender that takes them from the queue (`Delivery.ends`).
  const field = CASE_FIELDS[open.channel];
  if (ends && !queued && field) await deps.bus.fields(field).delete(open.userId);
  const events = await applyEvents(deps, open, turned.handoff ?? []);
  return {
    type: 'done',
    turned,
    events,
    queued,
    ...(undelivered ? { undelivered } : {}),
    ...(unsent ? { unsent: true as const } : {}),
  };
}
