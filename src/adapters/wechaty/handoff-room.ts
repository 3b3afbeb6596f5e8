import type { Wechaty } from 'wechaty';
import type { ContactInterface, MessageInterface, RoomInterface } from 'wechaty/impls';
import type { ConversationService, Turned } from '../../core/conversation.js';
import { caseRef, type HandoffEvent, type OperatorAction } from '../../core/handoff.js';
import { toBubbles, type Reply } from '../../core/replies.js';
import type { Translators } from '../../i18n/index.js';
import type { Logger } from '../../log.js';
import type { Lang } from '../../shared/types.js';
import type { OpenCase, OpenCases } from './handoff-cases.js';
import type { SendQueue } from './send-queue.js';

export interface HandoffRoomDeps {
  /** The operator room's id (HANDOFF_ROOM). */
  roomId: string;
  service: ConversationService;
  translators: Translators;
  cases: OpenCases;
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

/** `#a1b2 words`, `#a1b2 /take`, `#a1b2 /done`: a case's reference, then what to do. */
const OPERATOR = /^#([0-9a-f]{4})\s+([^]+)$/i;
/** Tries for a free reference when a new case's is held by another open case. */
const MAX_RENAMES = 8;
/** Stands in for text typed by a person while the line around it is worded. */
const RAW = '\u{E000}';

/**
 * The operator side on the personal account: a WeChat group of volunteers. New cases, the
 * users' words and the ends are posted there; members answer with `#a1b2 …`. Only messages
 * in that room from its members are read as operator commands: anywhere else they are a
 * user's words like any other. Logs carry counts and case references, never text (unless
 * LOG_CONTENT=1) or names.
 */
export function createHandoffRoom(deps: HandoffRoomDeps) {
  const { service, cases, queue, log, roomId } = deps;
  const t = deps.translators(deps.lang ?? 'zh-CN');
  /** Contacts of the cases open here: whom an operator's words go to. */
  const contacts = new Map<string, ContactInterface>();
  let room: RoomInterface | undefined;

  const words = (key: string, vars: Record<string, unknown> = {}) =>
    t(`common:handoff.room.${key}`, vars);
  /** Words with a name a person typed put in after wording, so i18next never reads it. */
  const named = (key: string, vars: Record<string, unknown>, name: string) =>
    words(key, { ...vars, operator: RAW }).replace(RAW, name);

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

  async function contactOf(open: OpenCase): Promise<ContactInterface | undefined> {
    return contacts.get(open.userId) ?? (await deps.bot()?.Contact.find({ id: open.contactId }));
  }

  /** Replies to the user; false when any could not be sent. */
  async function deliver(contact: ContactInterface | undefined, replies: Reply[]) {
    if (!contact) return replies.length === 0;
    const sent = await Promise.all(
      toBubbles(replies).map((bubble) => queue.enqueue(() => contact.say(bubble), contact.id)),
    );
    return sent.every(Boolean);
  }

  /** A new case's reference, renamed while another open case holds it. */
  async function freeRef(userId: string, ref: string): Promise<string> {
    let current = ref;
    for (let salt = 1; salt <= MAX_RENAMES && (await cases.taken(current, userId)); salt++) {
      const next = caseRef(userId, deps.clock(), salt);
      if (await service.operate(userId, { type: 'rename', ref: next })) current = next;
    }
    return current;
  }

  /** What a turn (the user's, an operator's, the clock's) said for the room. */
  async function relay(
    userId: string,
    contact: ContactInterface | undefined,
    events: HandoffEvent[],
  ) {
    for (const event of events) {
      log.info(
        { case: event.type === 'requested' ? undefined : event.ref, event: event.type },
        'handoff',
      );
      switch (event.type) {
        case 'requested': {
          const ref = await freeRef(userId, event.ref);
          if (contact) contacts.set(userId, contact);
          const since = deps.clock().toISOString();
          await cases.open({ ref, userId, contactId: contact?.id ?? '', state: 'waiting', since });
          await post([say(words('new', { ref })), ...event.summary]);
          break;
        }
        case 'user-message': {
          const text = deps.logContent ? { text: event.text } : {};
          log.info({ case: event.ref, ...text }, 'handoff message to the operators');
          const alarm = event.alarm
            ? [say(words('alarm', { ref: event.ref, noticed: event.alarm }))]
            : [];
          const said = event.media
            ? words('media', { ref: event.ref })
            : `${words('user', { ref: event.ref })} ${event.text}`;
          await post([...alarm, say(said)]);
          break;
        }
        case 'taken':
          await cases.update(event.ref, { state: 'human', operator: event.operator });
          await post([say(named('taken', { ref: event.ref }, event.operator))]);
          break;
        case 'ended':
          await cases.close(event.ref);
          contacts.delete(userId);
          await post([say(words(`ended.${event.reason}`, { ref: event.ref }))]);
          break;
      }
    }
  }

  /** An operator's action on a case: the user told, the room told; unknown cases said so. */
  async function act(open: OpenCase, action: OperatorAction): Promise<void> {
    let turned: Turned | undefined;
    try {
      turned = await service.operate(open.userId, action);
    } catch (error) {
      log.error({ case: open.ref, err: (error as Error).message }, 'operator action failed');
      await post([say(words('notDelivered', { ref: open.ref }))]);
      return;
    }
    if (!turned) {
      // The conversation is gone or back with the bot already: the index forgets it.
      if (action.type !== 'expire') {
        await cases.close(open.ref);
        await post([say(words('unknown', { ref: open.ref }))]);
      }
      return;
    }
    const contact = await contactOf(open);
    if (!(await deliver(contact, turned.replies)))
      await post([say(words('notDelivered', { ref: open.ref }))]);
    if (action.type === 'say') log.info({ case: open.ref }, 'handoff message to the user');
    await relay(open.userId, contact, turned.handoff ?? []);
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
      const text = msg.text().trim();
      const command = text === '/list' ? 'list' : OPERATOR.exec(text);
      if (!command) return;
      // Someone who has left the room (or was never in it) cannot operate.
      if (!(await from.has(talker))) return;
      if (command === 'list') return list();
      const [, rawRef = '', rest = ''] = command;
      const ref = rawRef.toLowerCase();
      const open = await cases.find(ref);
      if (!open) return post([say(words('unknown', { ref }))]);
      const operator = talker.name() || talker.id;
      const said = rest.trim();
      const action: OperatorAction =
        said === '/take'
          ? { type: 'take', operator }
          : said === '/done'
            ? { type: 'done', operator }
            : { type: 'say', operator, text: said };
      await act(open, action);
    },
    /** Requests nobody took in time, and conversations silent too long, go back to the bot. */
    async expire(): Promise<void> {
      for (const open of await cases.all()) await act(open, { type: 'expire' });
    },
  };
}

export type HandoffRoom = ReturnType<typeof createHandoffRoom>;
