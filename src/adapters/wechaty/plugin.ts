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
}

export interface AssistantRuntime {
  service: ConversationService;
  translators: Translators;
}

export interface WechatyAssistant {
  install: WechatyPlugin;
  /** Stop taking messages, finish what is in flight and send what is queued, within a bound. */
  close(timeoutMs?: number): Promise<void>;
  /** Resolves when nothing is in flight and the queue is empty (for tests and shutdown). */
  settled(): Promise<void>;
  readonly queue: SendQueue;
}

/** Long enough for the delivery spread seen under load (about 50 ms), short beside send pacing. */
const REORDER_MS = 300;

/** How long close() waits for queued replies before giving up on them. */
const CLOSE_TIMEOUT_MS = 30_000;

/** Messages stamped this long before the plugin started are backlog replayed after login. */
const BACKLOG_GRACE_MS = 5_000;

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
  const identities = createIdentities(log);
  const migrated = new Set<string>();
  let closing = false;
  let startedAt = clock().getTime();
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
    // msg.age() alone misses backlog on some puppets; compare with our own start time too.
    if (msg.date().getTime() < startedAt - BACKLOG_GRACE_MS) return;
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
    const { key: userId, legacy } = await identities.of(talker);
    // A conversation kept under the old per-login id moves to the stable key once.
    if (legacy !== userId && !migrated.has(legacy)) {
      migrated.add(legacy);
      if (await service.rekey(legacy, userId))
        log.info({ user: ref(userId) }, 'conversation moved to a stable contact key');
    }
    const order = puppetOrder.get(msg.id);
    puppetOrder.delete(msg.id);
    await reorder.add(
      userId,
      msg.date().getTime(),
      async () => {
        const { replies } =
          type === types.Message.Text
            ? await service.handle({
                userId,
                text: msg.text(),
                channel: 'wechat',
                messageId: msg.id,
              })
            : await service.handleMedia(userId);
        await sayAll(talker, replies);
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

  const install: WechatyPlugin = (bot: Wechaty) => {
    startedAt = clock().getTime();
    const message = (msg: MessageInterface) => guard('message', onMessage(msg));
    const friendship = (f: FriendshipInterface) => guard('friendship', onFriendship(f));
    const login = () => {
      startedAt = clock().getTime();
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
      bot.off('message', message);
      bot.off('friendship', friendship);
      bot.off('login', login);
    };
  };

  return {
    install,
    queue,
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await queue.drain();
    },
    /** Stops taking messages and sends what is queued, for at most `timeoutMs`: SIGTERM exits. */
    async close(timeoutMs = CLOSE_TIMEOUT_MS) {
      closing = true;
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
