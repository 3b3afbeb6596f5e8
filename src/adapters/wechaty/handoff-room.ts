import type { Wechaty } from 'wechaty';
import type { ContactInterface, MessageInterface, RoomInterface } from 'wechaty/impls';
import type { ConversationService } from '../../core/conversation.js';
import type { HandoffBus } from '../../core/handoff-bus.js';
import type { HandoffEvent, OperatorAction } from '../../core/handoff.js';
import { toBubbles, type Reply } from '../../core/replies.js';
import type { Translators } from '../../i18n/index.js';
import type { Logger } from '../../log.js';
import type { Lang } from '../../shared/types.js';
import {
  actOn,
  applyEvents,
  deliveryQueue,
  eventNotice,
  forgetUser,
  parseOperatorLine,
  publish,
  senderBeat,
  takeDeliveries,
  takeNotices,
  type DeskDeps,
} from '../handoff/desk.js';
import { operatorWords } from '../handoff/words.js';
import type { OpenCase, OpenCases } from '../handoff/open-cases.js';
import type { SendQueue } from './send-queue.js';

export interface HandoffRoomDeps {
  /** The operator room's id (HANDOFF_ROOM). */
  roomId: string;
  service: ConversationService;
  translators: Translators;
  cases: OpenCases;
  /** The queues shared with the other channels' processes (the OA webhook, console users). */
  bus: HandoffBus;
  queue: SendQueue;
  log: Logger;
  logContent: boolean;
  /** The bot, once installed: finds the room and the contacts of cases seen by another process. */
  bot: () => Wechaty | undefined;
  clock: () => Date;
  /** The language the room is spoken to in. */
  lang?: Lang;
}

/**
 * The operator side on the personal account: a WeChat group of volunteers. New cases, the
 * users' words and the ends are posted there, for the bot's own users and for those of the
 * other channels (the Official Account's, through the shared queues); members answer with
 * `#a1b2 …`, and the words reach the user on the case's channel (the OA's customer-service
 * sender through its queue). Only messages in that room from its members are read as operator
 * commands: anywhere else they are a user's words like any other. Logs carry counts and case
 * references, never text (unless LOG_CONTENT=1) or names.
 */
export function createHandoffRoom(deps: HandoffRoomDeps) {
  const { service, cases, queue, log, roomId, bus } = deps;
  const t = deps.translators(deps.lang ?? 'zh-CN');
  /** Contacts of the cases open here: whom an operator's words go to. */
  const contacts = new Map<string, ContactInterface>();
  let room: RoomInterface | undefined;

  const said = operatorWords(t);

  async function roomOf(): Promise<RoomInterface | undefined> {
    room ??= await deps.bot()?.Room.find({ id: roomId });
    return room;
  }

  async function post(replies: Reply[]): Promise<void> {
    const target = await roomOf();
    if (!target) {
      log.error('the handoff room (HANDOFF_ROOM) cannot be found: is the bot a member?');
      return;
    }
    await Promise.all(
      toBubbles(replies).map((bubble) => queue.enqueue(() => target.say(bubble), roomId)),
    );
  }

  async function contactOf(open: Pick<OpenCase, 'userId' | 'address'>) {
    return contacts.get(open.userId) ?? (await deps.bot()?.Contact.find({ id: open.address }));
  }

  /** Replies to the user; false when any could not be sent. */
  async function deliver(contact: ContactInterface | undefined, replies: Reply[]) {
    if (!contact) return replies.length === 0;
    const sent = await Promise.all(
      toBubbles(replies).map((bubble) => queue.enqueue(() => contact.say(bubble), contact.id)),
    );
    return sent.every(Boolean);
  }

  const desk: DeskDeps = {
    service,
    bus,
    cases,
    log,
    clock: deps.clock,
    senders: {
      wechat: async (open, replies) =>
        (await deliver(await contactOf(open), replies)) ? undefined : 'failed',
    },
  };

  const beat = senderBeat(bus, 'wechat');

  /** What the room is told of one event of a case, on any channel. */
  async function announce(event: HandoffEvent): Promise<void> {
    log.info({ case: event.ref, event: event.type }, 'handoff');
    if (event.type === 'user-message' && deps.logContent)
      log.info({ case: event.ref, text: event.text }, 'handoff message to the operators');
    await post(said.event(event));
  }

  /** What a turn of this bot's user said for the room. */
  async function relay(
    userId: string,
    contact: ContactInterface | undefined,
    events: HandoffEvent[],
  ) {
    const where = { channel: 'wechat' as const, userId, address: contact?.id ?? '' };
    for (const event of await applyEvents(desk, where, events)) {
      if (event.type === 'requested' && contact) contacts.set(userId, contact);
      if (event.type === 'ended') contacts.delete(userId);
      await announce(event);
    }
  }

  /** An operator's action on a case: the user told, the room told; unknown cases said so. */
  async function act(open: OpenCase, action: OperatorAction): Promise<void> {
    const result = await actOn(desk, open, action);
    if (result.type === 'failed') return post([said.undelivered(open.ref, 'failed')]);
    if (result.type === 'not-due') return;
    if (result.type === 'unknown') {
      contacts.delete(open.userId);
      if (action.type !== 'expire') await post([said.unknown(open.ref)]);
      return;
    }
    if (result.undelivered) await post([said.undelivered(open.ref, result.undelivered)]);
    if (result.unsent) await post([said.unsent(open.ref, open.channel)]);
    for (const event of result.events) {
      if (event.type === 'ended') contacts.delete(open.userId);
      await announce(event);
      // An operator working at the console sees what happened here to the other channels' cases.
      if (open.channel !== 'wechat')
        await publish(bus, eventNotice(open.channel, open.userId, event), 'room');
    }
  }

  async function list(): Promise<void> {
    await post([said.list(await cases.all())]);
  }

  return {
    relay,
    /** How many users' contacts are kept (those of cases open here): none once they all end. */
    held: () => contacts.size,
    /** This bot's user erased their data: what the handoff keeps of them goes, here too. */
    async forget(userId: string, contact: ContactInterface | undefined): Promise<void> {
      contacts.delete(userId);
      await forgetUser(bus, { channel: 'wechat', userId, address: contact?.id ?? '' });
    },
    /** A message in the operator room: a command from a member, or the volunteers' own talk. */
    async onRoomMessage(msg: MessageInterface, from: RoomInterface): Promise<void> {
      room = from;
      const talker = msg.talker();
      const line = parseOperatorLine(msg.text());
      if (!line) return;
      // Someone who has left the room (or was never in it) cannot operate.
      if (!(await from.has(talker))) return;
      if (line.type === 'list') return list();
      const open = await cases.find(line.ref);
      if (!open) return post([said.unknown(line.ref)]);
      await act(open, line.action(talker.name() || talker.id));
    },
    /** Requests nobody took in time, and conversations silent too long, go back to the bot. */
    async expire(): Promise<void> {
      for (const open of await cases.all()) await act(open, { type: 'expire' });
    },
    /**
     * What the other processes left for the room: the other channels' cases (new, the users'
     * words, ends, words that could not be delivered), and words an operator at the console
     * wrote to this bot's users.
     */
    async poll(): Promise<void> {
      await beat();
      for (const notice of await takeNotices(bus, 'room')) {
        if (notice.type !== 'event') await post([said.undelivered(notice.ref, notice.why)]);
        else {
          // A case of this bot's ended elsewhere (the console's /done or timeout): its contact
          // is not kept (review finding 7).
          if (notice.event.type === 'ended' && notice.userId) contacts.delete(notice.userId);
          await announce(notice.event);
        }
      }
      for (const d of await takeDeliveries(bus, deliveryQueue('wechat', ''))) {
        if (!(await deliver(await contactOf(d), d.replies)))
          await post([said.undelivered(d.ref, 'failed')]);
      }
    },
  };
}

export type HandoffRoom = ReturnType<typeof createHandoffRoom>;
