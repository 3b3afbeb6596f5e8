import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ConversationService } from '../../core/conversation.js';
import type { HandoffBus } from '../../core/handoff-bus.js';
import type { HandoffEvent } from '../../core/handoff.js';
import { toBubbles, type Reply } from '../../core/replies.js';
import type { Translators } from '../../i18n/index.js';
import type { Logger } from '../../log.js';
import type { Lang } from '../../shared/types.js';
import {
  actOn,
  eventNotice,
  parseOperatorLine,
  publish,
  takeNotices,
  type DeskDeps,
  type Sender,
} from '../handoff/desk.js';
import { createOpenCases, type CaseChannel } from '../handoff/open-cases.js';
import { operatorWords } from '../handoff/words.js';

export interface OperatorConsoleOptions {
  service: ConversationService;
  bus: HandoffBus;
  translators: Translators;
  input: Readable;
  output: Writable;
  log: Logger;
  clock: () => Date;
  /** The operator's name, as users' cases show who took them. */
  name: string;
  lang: Lang | undefined;
  interactive: boolean;
  /** The channels this process reaches itself (the OA's API); the others get their queue. */
  senders: Partial<Record<CaseChannel, Sender>>;
  /** How often new cases and the users' words are looked for (default 500 ms). */
  pollMs?: number;
  /** How often the timeouts are checked (default 30 s). */
  expireMs?: number;
}

const say = (text: string): Reply => ({ type: 'text', text });

/**
 * `npm start -- --operator`: the console as an operator, for testing a handoff without a
 * WeChat group. It shows the open cases, new requests and the users' words (from the shared
 * queues, whichever process saw them), and runs `/list`, `#a1b2 /take`, `#a1b2 words` and
 * `#a1b2 /done`: the words reach the user on their channel (the OA's customer-service API
 * from here, within its limits; the others through their queue). Whatever cannot be
 * delivered is said here, with why. Piped input: one command per line, until its end.
 */
export async function runOperatorConsole(options: OperatorConsoleOptions): Promise<void> {
  const { bus, output, log } = options;
  const t = options.translators(options.lang ?? 'zh-CN');
  const said = operatorWords(t);
  const cases = createOpenCases(bus);
  const desk: DeskDeps = {
    service: options.service,
    bus,
    cases,
    log,
    clock: options.clock,
    senders: options.senders,
  };
  const print = (replies: Reply[]) => {
    for (const bubble of toBubbles(replies)) output.write(`${bubble}\n\n`);
  };
  // One thing at a time: a poll never prints in the middle of a command's answer.
  let chain: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>) => {
    const run = chain.then(work).catch((error: unknown) => {
      log.error({ err: (error as Error).message }, 'operator console');
      print([say(t('common:unavailable'))]);
    });
    chain = run;
    return run;
  };

  const showNotices = async () => {
    for (const notice of await takeNotices(bus, 'console'))
      print(
        notice.type === 'event'
          ? said.event(notice.event)
          : [said.undelivered(notice.ref, notice.why)],
      );
  };
  const tell = async (events: HandoffEvent[], open: { channel: CaseChannel; userId: string }) => {
    for (const event of events) {
      print(said.event(event));
      // The room hears what happened here, so both desks agree.
      await publish(bus, eventNotice(open.channel, open.userId, event), 'console');
    }
  };
  const expire = async () => {
    for (const open of await cases.all()) {
      const result = await actOn(desk, open, { type: 'expire' });
      if (result.type === 'done') await tell(result.events, open);
    }
  };

  async function command(text: string): Promise<void> {
    const line = parseOperatorLine(text);
    if (text.trim() === '/help') return print([say(t('common:handoff.console.banner'))]);
    if (!line) return print([say(t('common:handoff.console.notCommand'))]);
    if (line.type === 'list') return print([said.list(await cases.all())]);
    const open = await cases.find(line.ref);
    if (!open) return print([said.unknown(line.ref)]);
    const result = await actOn(desk, open, line.action(options.name));
    if (result.type === 'failed') return print([said.undelivered(open.ref, 'failed')]);
    if (result.type === 'unknown' || result.type === 'not-due')
      return print([said.unknown(open.ref)]);
    if (result.undelivered) print([said.undelivered(open.ref, result.undelivered)]);
    else if (result.unsent) print([said.unsent(open.ref, open.channel)]);
    else if (result.turned.replies.length > 0)
      print([
        say(t(`common:handoff.console.${result.queued ? 'queued' : 'sent'}`, { ref: open.ref })),
      ]);
    await tell(result.events, open);
  }

  if (options.interactive) print([say(t('common:handoff.console.banner'))]);
  await serial(async () => {
    print([said.list(await cases.all())]);
    await showNotices();
  });
  const timers = [
    // serial() reports its own failures: these chains never reject.
    setInterval(() => {
      serial(showNotices).catch(() => undefined);
    }, options.pollMs ?? 500),
    setInterval(() => {
      serial(expire).catch(() => undefined);
    }, options.expireMs ?? 30_000),
  ];
  const rl = createInterface({
    input: options.input,
    output: options.interactive ? output : undefined,
    terminal: options.interactive,
  });
  if (options.interactive) rl.setPrompt('> ');
  try {
    if (options.interactive) rl.prompt();
    for await (const text of rl) {
      if (text.trim() !== '') await serial(() => command(text));
      if (options.interactive) rl.prompt();
    }
    await serial(showNotices);
  } finally {
    for (const timer of timers) clearInterval(timer);
  }
}
