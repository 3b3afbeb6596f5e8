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
  parseOperatorLine,
  publish,
  takeDeliveries,
  takeNotices,
  type DeskDeps,
  type Undelivered,
} from '../handoff/desk.js';
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

const say = (text: string): Reply => ({ type: 'text', text });

/** Stands in for text typed by a person while the line around it is worded. */
const RAW = '\u{E000}';

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

  const words = (key: string, vars: Record<string, unknown> = {}) =>
    t(`common:handoff.room.${key}`, vars);
  /** Words with a name a person typed put in after wording, so i18next never reads it. */
  const named = (key: string, vars: Record<string, unknown>, name: string) =>
    words(key, { ...vars, operator: RAW }).replace(RAW, name);
  const undelivered = (ref: string, why: Undelivered) =>
    say(why === 'failed' ? words('notDelivered', { ref }) : words(`undelivered.${why}`, { ref }));

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

  /** What the room is told of one event of a case, on any channel. */
  async function announce(event: HandoffEvent): Promise<void> {
    log.info({ case: event.ref, event: event.type }, 'handoff');
    switch (event.type) {
      case 'requested':
        return post([say(words('new', { ref: event.ref })), ...event.summary]);
      case 'user-message': {
        const text = deps.logContent ? { text: event.text } : {};
        log.info({ case: event.ref, ...text }, 'handoff message to the operators');
        const alarm = event.alarm
          ? [say(words('alarm', { ref: event.ref, noticed: event.alarm }))]
          : [];
        const said = event.media
          ? words('media', { ref: event.ref })
          : `${words('user', { ref: event.ref })} ${event.text}`;
        return post([...alarm, say(said)]);
      }
      case 'taken':
        return post([say(named('taken', { ref: event.ref }, event.operator))]);
      case 'ended':
        return post([say(words(`ended.${event.reason}`, { ref: event.ref }))]);
    }
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
    if (result.type === 'failed') return post([undelivered(open.ref, 'failed')]);
    if (result.type === 'unknown') {
      if (action.type !== 'expire') await post([say(words('unknown', { ref: open.ref }))]);
      return;
    }
    if (result.undelivered) await post([undelivered(open.ref, result.undelivered)]);
    for (const event of result.events) {
      if (event.type === 'ended') contacts.delete(open.userId);
      await announce(event);
      // An operator working at the console sees what happened here to the other channels' cases.
      if (open.channel !== 'wechat')
        await publish(bus, { type: 'event', channel: open.channel, event }, 'room');
    }
  }

  async function list(): Promise<void> {
    const open = await cases.all();
    if (open.length === 0) return post([say(words('listEmpty'))]);
    const lines = open.map((c) =>
      words('listLine', {
        ref: c.ref,
        state: c.state === 'human' ? named('human', {}, c.operator ?? '') : words('waiting'),
        since: c.since.slice(0, 16).replace('T', ' '),
      }),
    );
    await post([say(words('list', { cases: lines.join('\n') }))]);
  }

  return {
    relay,
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
      if (!open) return post([say(words('unknown', { ref: line.ref }))]);
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
      for (const notice of await takeNotices(bus, 'room')) {
        if (notice.type === 'event') await announce(notice.event);
        else await post([undelivered(notice.ref, notice.why)]);
      }
      for (const d of await takeDeliveries(bus, deliveryQueue('wechat', ''))) {
        if (!(await deliver(await contactOf(d), d.replies)))
          await post([undelivered(d.ref, 'failed')]);
      }
    },
  };
}

export type HandoffRoom = ReturnType<typeof createHandoffRoom>;
