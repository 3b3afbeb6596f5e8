import { toBubbles, type Reply } from '../../core/replies.js';
import { createHash } from 'node:crypto';
import { types, type Wechaty, type WechatyPlugin } from 'wechaty';
import type { ContactInterface, MessageInterface, FriendshipInterface } from 'wechaty/impls';
import type { ConversationService } from '../../core/conversation.js';
import { detectLanguage } from '../../core/language.js';
import type { Translators } from '../../i18n/index.js';
import type { Logger } from '../../log.js';
import {
  createSendQueue,
  DEFAULT_SEND_OPTIONS,
  type SendQueue,
  type SendQueueOptions,
} from './send-queue.js';
import { createReorderBuffer } from './reorder.js';
import { createIdentities } from './identity.js';
import { createBacklogFilter, DEFAULT_BACKLOG, type BacklogOptions } from './backlog.js';
import { createOpenCases } from '../handoff/open-cases.js';
import type { HandoffBus } from '../../core/handoff-bus.js';
import { createMemoryHandoffBus } from '../../store/handoff-memory.js';
import { createHandoffRoom, type HandoffRoom } from './handoff-room.js';

export interface AssistantDeps {
  /** May still be loading: messages wait for it (so none is lost at start-up). */
  runtime: Promise<AssistantRuntime> | AssistantRuntime;
  log: Logger;
  send?: Partial<SendQueueOptions>;
  /** Accept friend requests and greet; off by default (an operator's decision). */
  autoAcceptFriends?: boolean;
  /** Put message text and names in logs (debugging only). */
  logContent?: boolean;
  clock?: () => Date;
  /** How long one user's messages are held to be put back in the order sent (default 300 ms). */
  reorderMs?: number;
  /**
   * The operator room's id (HANDOFF_ROOM): users can ask for a person, and the room's members
   * answer them. The runtime's engine must have a handoff policy too (createRuntime's `handoff`).
   */
  handoffRoom?: string | undefined;
  /** How often the handoff timeouts are checked (default 30 s). */
  handoffCheckMs?: number;
  /** How long a contact remark call may take before its id is used instead (default 5 s). */
  remarkTimeoutMs?: number;
  /** How the replay after login is told apart (backlog.ts; defaults: 5 s grace, 1 s gap, 10 s). */
  backlog?: Partial<BacklogOptions>;
}

export interface AssistantRuntime {
  service: ConversationService;
  translators: Translators;
  /** The open cases and the queues to the other channels' processes, on the store; default: memory. */
  handoffBus?: HandoffBus;
}

export interface WechatyAssistant {
  install: WechatyPlugin;
  /** Stop taking messages, finish what is in flight and send what is queued, within a bound. */
  close(timeoutMs?: number): Promise<void>;
  /** Resolves when nothing is in flight and the queue is empty (for tests and shutdown). */
  settled(): Promise<void>;
  readonly queue: SendQueue;
  /** Runs the handoff timeouts now (a timer does it every `handoffCheckMs`). */
  expireHandoffs(): Promise<void>;
}

/** Long enough for the delivery spread seen under load (about 50 ms), short beside send pacing. */
const REORDER_MS = 300;

/** How often the room takes what the other channels' processes left for it. */
const HANDOFF_POLL_MS = 1_000;

/** How long close() waits for queued replies before giving up on them. */
const CLOSE_TIMEOUT_MS = 30_000;

/** A stable, non-reversible id for logs: never the WeChat id or name. */
export const ref = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 10);

/** Message ids whose puppet order is remembered until the message is handled. */
const MAX_ORDERS = 10_000;

export function createWechatyAssistant(deps: AssistantDeps): WechatyAssistant {
  const { log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const queue = createSendQueue({ ...DEFAULT_SEND_OPTIONS, ...deps.send }, log);
  const inFlight = new Set<Promise<void>>();
  const reorder = createReorderBuffer(deps.reorderMs ?? REORDER_MS);
  const identities = createIdentities(log, undefined, deps.remarkTimeoutMs);
  const migrated = new Set<string>();
  let closing = false;
  const backlog = createBacklogFilter(
    { ...DEFAULT_BACKLOG, ...deps.backlog },
    () => clock().getTime(),
    (count) => log.info({ count }, 'backlog from before login: not answered'),
  );
  let installed: Wechaty | undefined;
  let handoffTimer: ReturnType<typeof setInterval> | undefined;
  let handoffPoll: ReturnType<typeof setInterval> | undefined;
  let handoff: Promise<HandoffRoom | undefined> | undefined;
  let bus: HandoffBus | undefined;
  /** The operator room, once the runtime has loaded (it holds the service and the index). */
  const handoffRoom = (): Promise<HandoffRoom | undefined> =>
    (handoff ??= Promise.resolve(deps.runtime).then((runtime) =>
      deps.handoffRoom
        ? createHandoffRoom({
            roomId: deps.handoffRoom,
            service: runtime.service,
            translators: runtime.translators,
            cases: createOpenCases((bus ??= runtime.handoffBus ?? createMemoryHandoffBus())),
            bus: (bus ??= runtime.handoffBus ?? createMemoryHandoffBus()),
            queue,
            log,
            logContent: deps.logContent ?? false,
            bot: () => installed,
            clock,
          })
        : undefined,
    ));
  const puppetOrder = new Map<string, number>();
  let reported = 0;

  const track = (work: Promise<void>) => {
    inFlight.add(work);
    // Settled either way (a failure was reported where it happened): only forgotten here.
    const forget = () => void inFlight.delete(work);
    work.then(forget, forget);
  };

  // Bubbles of ≤ 600 characters; a copyable text is always one bubble of its own.
  const sayAll = (to: ContactInterface, replies: Reply[]) =>
    Promise.all(toBubbles(replies).map((bubble) => queue.enqueue(() => to.say(bubble), to.id)));

  async function onMessage(msg: MessageInterface): Promise<void> {
    // Recalled messages are notices about an earlier message, not something to answer.
    if (closing || msg.self() || msg.type() === types.Message.Recalled) return;
    const { service, translators } = await deps.runtime;
    // What the puppet replays after login (backlog.ts); counted in a log line, not answered.
    if (await backlog.isBacklog(msg.date().getTime())) return;
    const talker = msg.talker();
    const room = msg.room();
    const type = msg.type();
    log.info(
      {
        user: ref(talker.id),
        type: types.Message[type],
        room: Boolean(room),
        ...(deps.logContent ? { text: msg.text() } : {}),
      },
      'message',
    );
    if (room && room.id === deps.handoffRoom) {
      if (type === types.Message.Text) await (await handoffRoom())?.onRoomMessage(msg, room);
      return;
    }
    if (room) {
      // Money matters are never discussed in a group: answer a mention with a pointer to private chat.
      if (!(await msg.mentionSelf())) return;
      // Mentions are limited per person and per room, like private messages.
      const verdict = await service.admit([`wechat:${talker.id}`, `wechat-room:${room.id}`]);
      if (verdict === 'drop') return;
      const t = translators(detectLanguage(msg.text()));
      const text = t(verdict === 'warn' ? 'common:slowDown' : 'common:wechat.groupPrivate');
      await queue.enqueue(() => room.say(text, talker), room.id);
      return;
    }
    if (talker.type() !== types.Contact.Individual) return;
    const { key: userId, old } = await identities.of(talker);
    // A conversation kept under an older key (the per-login id, the handle) moves to the
    // stable key once.
    for (const from of old) {
      if (from === userId || migrated.has(from)) continue;
      migrated.add(from);
      if (await service.rekey(from, userId))
        log.info({ user: ref(userId) }, 'conversation moved to a stable contact key');
    }
    const order = puppetOrder.get(msg.id);
    puppetOrder.delete(msg.id);
    await reorder.add(
      userId,
      msg.date().getTime(),
      async () => {
        const {
          replies,
          handoff: events,
          erased,
        } = type === types.Message.Text
          ? await service.handle({
              userId,
              text: msg.text(),
              channel: 'wechat',
              messageId: msg.id,
            })
          : await service.handleMedia(userId);
        await sayAll(talker, replies);
        if (events && events.length > 0) await (await handoffRoom())?.relay(userId, talker, events);
        if (erased) await (await handoffRoom())?.forget(userId, talker);
      },
      order,
    );
  }

  async function onFriendship(friendship: FriendshipInterface): Promise<void> {
    if (closing || !deps.autoAcceptFriends || friendship.type() !== types.Friendship.Receive)
      return;
    const { translators } = await deps.runtime;
    await friendship.accept();
    const contact = friendship.contact();
    log.info({ user: ref(contact.id) }, 'friend request accepted');
    await queue.enqueue(
      () =>
        contact.say(
          translators(detectLanguage(friendship.hello()))('common:wechat.friendGreeting'),
        ),
      contact.id,
    );
  }

  const guard = (what: string, work: Promise<void>) =>
    track(
      work.catch((error: unknown) =>
        log.error({ err: (error as Error).message }, `${what} failed`),
      ),
    );

  const expireHandoffs = async () => {
    await (await handoffRoom())?.expire();
  };

  const install: WechatyPlugin = (bot: Wechaty) => {
    backlog.login();
    installed = bot;
    const timer = (handoffTimer = deps.handoffRoom
      ? setInterval(
          () => guard('handoff timeouts', expireHandoffs()),
          deps.handoffCheckMs ?? 30_000,
        )
      : undefined);
    // The other channels' cases (the Official Account's) reach the room through the store.
    const polling = (handoffPoll = deps.handoffRoom
      ? setInterval(
          () =>
            guard(
              'handoff queues',
              handoffRoom().then((r) => r?.poll()),
            ),
          HANDOFF_POLL_MS,
        )
      : undefined);
    // The checks never keep the process alive on their own.
    timer?.unref();
    polling?.unref();
    const message = (msg: MessageInterface) => guard('message', onMessage(msg));
    const friendship = (f: FriendshipInterface) => guard('friendship', onFriendship(f));
    const login = () => {
      backlog.login();
      identities.newLogin();
    };
    bot.on('message', message);
    bot.on('friendship', friendship);
    bot.on('login', login);
    // The order the puppet reported messages in, before Wechaty loads each one (which can
    // finish out of order under load): the tie-breaker for equal timestamps (red-team M14).
    const noteOrder = ({ messageId }: { messageId: string }) => {
      puppetOrder.set(messageId, ++reported);
      if (puppetOrder.size > MAX_ORDERS) puppetOrder.delete(puppetOrder.keys().next().value ?? '');
    };
    const watch = (puppet: { on(event: 'message', l: typeof noteOrder): unknown }) =>
      void puppet.on('message', noteOrder);
    try {
      watch(bot.puppet);
    } catch {
      // Not started yet: Wechaty announces its puppet when it has one.
      (bot as unknown as NodeJS.EventEmitter).once('puppet', watch);
    }
    return () => {
      clearInterval(timer);
      clearInterval(polling);
      bot.off('message', message);
      bot.off('friendship', friendship);
      bot.off('login', login);
    };
  };

  return {
    install,
    queue,
    expireHandoffs,
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await queue.drain();
    },
    /** Stops taking messages and sends what is queued, for at most `timeoutMs`: SIGTERM exits. */
    async close(timeoutMs = CLOSE_TIMEOUT_MS) {
      closing = true;
      clearInterval(handoffTimer);
      clearInterval(handoffPoll);
      backlog.flush();
      // Messages held for reordering are handled now, not after their window.
      reorder.flushAll();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.settled(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    },
  };
}
