import { chmod, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Transcript } from '../../authoring/transcript.js';
import type { Lang } from '../../shared/types.js';

/** How much of the last reply a recorded turn expects: enough to notice a change of words. */
const EXPECT_CHARS = 30;

/**
 * Writes the conversation as a transcript `npm run flow -- test` can replay, after every
 * turn, so a bug seen in the terminal becomes a test in one step (even after Ctrl+C).
 */
export function createRecorder(
  file: string,
  start: { lang: Lang | undefined; now: Date; at?: string; facts?: Record<string, string> },
) {
  const transcript: Transcript = {
    name: `recorded ${start.now.toISOString()}`,
    ...(start.lang ? { lang: start.lang } : {}),
    now: start.now.toISOString(),
    ...(start.at ? { at: start.at, facts: start.facts ?? {} } : {}),
    turns: [],
  };
  return {
    async turn(user: string, replies: string[], step: string | undefined): Promise<void> {
      const lastLine = replies.at(-1)?.split('\n')[0]?.trim().slice(0, EXPECT_CHARS);
      transcript.turns.push({
        user,
        ...(lastLine ? { expect: [lastLine] } : {}),
        ...(step ? { step } : {}),
      });
      // What the user typed about their money: readable by the owner only, like sessions.
      await writeFile(file, stringify(transcript), { mode: 0o600 });
      await chmod(file, 0o600);
    },
  };
}
