import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { startAtOrThrow } from '../../authoring/start-at.js';
import type { ConversationService } from '../../core/conversation.js';
import type { Engine } from '../../core/engine.js';
import { toBubbles, type Reply } from '../../core/replies.js';
import { DEFAULT_LANG, type Lang } from '../../shared/types.js';
import type { Translators } from '../../i18n/index.js';

export interface ConsoleOptions {
  service: ConversationService;
  /** The engine the service runs, for `--at` (a conversation that starts at a step). */
  engine: Engine;
  translators: Translators;
  input: Readable;
  output: Writable;
  /** Who is typing (`--user`); stored under `console:<user>`. */
  user: string;
  lang: Lang | undefined;
  /** A person at a terminal: show a banner and a prompt. Piped input: replies only. */
  interactive: boolean;
  /** Write the conversation as a transcript to this file. */
  record?: string;
  /** Start at a step with facts, replacing the user's conversation. */
  at?: { step: string; facts: Record<string, string> };
  clock?: () => Date;
  /** What operators said to this user (`--handoff`): shown at start and looked for while it runs. */
  incoming?: (userId: string) => Promise<Reply[]>;
}

/** How often a console user with --handoff looks for an operator's words. */
const INCOMING_MS = 500;

/**
 * Terminal users have keys of their own, so `--user wechat:<id>` never opens a WeChat user's
 * conversation (red-team m15).
 */
export function consoleKey(user: string): string {
  return `console:${user}`;
}

/**
 * The same conversation as on WeChat, in a terminal. Piped input is read one message per
 * line, every reply is printed, and the returned promise resolves at end of input.
 */
export async function runConsole(options: ConsoleOptions): Promise<void> {
  const { service, input, output, lang, interactive } = options;
  const userId = consoleKey(options.user);
  // A conversation kept under the bare name (before console keys had their prefix) moves
  // over; a name that looks like another channel's key is never taken from it.
  if (!options.user.includes(':')) await service.rekey(options.user, userId);
  const now = (options.clock ?? (() => new Date()))();
  const print = (replies: Reply[]) => {
    for (const bubble of toBubbles(replies)) output.write(`${bubble}\n\n`);
  };
  // Loaded only to record: it brings the YAML writer, which a plain chat does not need.
  const recorder = options.record
    ? (await import('./recorder.js')).createRecorder(options.record, {
        lang,
        now,
        ...(options.at ? { at: options.at.step, facts: options.at.facts } : {}),
      })
    : undefined;

  if (options.at)
    print(
      await service.replace(
        userId,
        startAtOrThrow(
          options.engine,
          userId,
          lang ?? DEFAULT_LANG,
          options.at.step,
          options.at.facts,
        ),
      ),
    );
  else {
    const resumed = await service.resume(userId);
    if (resumed) print(resumed.replies);
    else if (interactive)
      print([
        { type: 'text', text: options.translators(lang ?? DEFAULT_LANG)('common:console.banner') },
      ]);
  }

  const { incoming } = options;
  const look = async () => print(incoming ? await incoming(userId).catch(() => []) : []);
  await look();
  const timer = incoming
    ? setInterval(() => {
        look().catch(() => undefined);
      }, INCOMING_MS)
    : undefined;
  const rl = createInterface({
    input,
    output: interactive ? output : undefined,
    terminal: interactive,
  });
  if (interactive) rl.setPrompt('> ');
  if (interactive) rl.prompt();
  try {
    for await (const line of rl) {
      if (line.trim() !== '') {
        const { replies } = await service.handle({ userId, text: line, lang, channel: 'console' });
        print(replies);
        await recorder?.turn(line, toBubbles(replies), await service.stepOf(userId));
      }
      if (interactive) rl.prompt();
    }
  } finally {
    clearInterval(timer);
  }
}
