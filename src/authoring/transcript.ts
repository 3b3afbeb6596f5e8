import { z } from 'zod';
import type { Engine } from '../core/engine.js';
import { startAt } from './start-at.js';
import type { Session } from '../core/session.js';
import { toBubbles } from '../core/replies.js';
import { DEFAULT_LANG, LANGS } from '../shared/types.js';

/**
 * A golden conversation: what the user types, and for each bot turn the substrings (or
 * /patterns/) its replies must contain, must not contain, and the step it must reach.
 */
// Authors write `user: 1` and `expect: [110]`; YAML reads those as numbers.
const text = z.union([z.string(), z.number()]).transform(String);

export const transcriptSchema = z
  .object({
    name: z.string().optional(),
    lang: z.enum(LANGS).optional().describe('fix the language, like --lang; otherwise detected'),
    now: z.iso.datetime().optional().describe('the clock for the whole conversation (ISO time)'),
    at: z
      .string()
      .optional()
      .describe('start at this step instead of the beginning (like npm start -- --at)'),
    facts: z.record(z.string(), text).optional().describe('facts for `at`, as typed (like --fact)'),
    turns: z
      .array(
        z
          .object({
            user: text,
            expect: z.array(text).optional(),
            reject: z.array(text).optional(),
            step: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type Transcript = z.output<typeof transcriptSchema>;

export interface TurnResult {
  user: string;
  replies: string[];
  stepId: string | undefined;
  problems: string[];
}

export interface TranscriptResult {
  ok: boolean;
  turns: TurnResult[];
}

/** A fixed clock so dates in golden transcripts never drift. */
export const DEFAULT_TRANSCRIPT_NOW = '2026-11-28T04:00:00.000Z';

export function runTranscript(engine: Engine, transcript: Transcript): TranscriptResult {
  const now = new Date(transcript.now ?? DEFAULT_TRANSCRIPT_NOW);
  let session: Session | undefined;
  const turns: TurnResult[] = [];
  if (transcript.at) {
    const started = startAt(
      engine,
      'transcript',
      transcript.lang ?? DEFAULT_LANG,
      transcript.at,
      transcript.facts ?? {},
      now,
    );
    if ('error' in started)
      return {
        ok: false,
        turns: [{ user: '(start)', replies: [], stepId: undefined, problems: [started.error] }],
      };
    session = started.session ?? undefined;
  }
  for (const turn of transcript.turns) {
    const outcome = engine.handle(
      session,
      { userId: 'transcript', text: turn.user, lang: transcript.lang },
      now,
    );
    session = outcome.session ?? undefined;
    const bubbles = toBubbles(outcome.replies);
    const text = bubbles.join('\n');
    const problems = [
      ...(turn.expect ?? [])
        .filter((p) => !matches(text, p))
        .map((p) => `expected the reply to contain ${p}`),
      ...(turn.reject ?? [])
        .filter((p) => matches(text, p))
        .map((p) => `expected the reply not to contain ${p}`),
      ...(turn.step !== undefined && turn.step !== session?.stepId
        ? [`expected to be at step "${turn.step}", but at "${session?.stepId ?? '(no session)'}"`]
        : []),
    ];
    turns.push({ user: turn.user, replies: bubbles, stepId: session?.stepId, problems });
  }
  return { ok: turns.every((t) => t.problems.length === 0), turns };
}

function matches(text: string, pattern: string): boolean {
  const regex = /^\/(.+)\/([imsu]*)$/s.exec(pattern);
  return regex?.[1] ? new RegExp(regex[1], regex[2]).test(text) : text.includes(pattern);
}

/** The whole conversation, with the first mismatch marked, for a person to read. */
export function formatTranscriptResult(name: string, result: TranscriptResult): string {
  const firstBad = result.turns.findIndex((t) => t.problems.length > 0);
  const lines = [`${result.ok ? 'PASS' : 'FAIL'} ${name}`];
  result.turns.forEach((turn, i) => {
    const mark = i === firstBad ? '>>' : '  ';
    lines.push(`${mark} user: ${turn.user}`);
    for (const reply of turn.replies)
      lines.push(...reply.split('\n').map((l) => `${mark}   | ${l}`));
    lines.push(`${mark}   (step: ${turn.stepId ?? '-'})`);
    for (const problem of turn.problems)
      lines.push(`${i === firstBad ? '>> ✗' : '   ✗'} ${problem}`);
  });
  return lines.join('\n');
}
