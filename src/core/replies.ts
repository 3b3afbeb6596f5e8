/**
 * Replies as data: the engine says what a reply is, each channel decides how it is shown.
 * The console and the personal-account bot show bubbles of ≤ 600 characters (`toBubbles`);
 * a channel with other limits (the Official Account: bytes per message, messages per turn)
 * packs the same replies its own way.
 */
export type Reply =
  /** Paragraphs separated by blank lines; may be split between paragraphs. */
  | { type: 'text'; text: string }
  /** A question and its numbered options. */
  | { type: 'question'; text: string; options: string[] }
  /** A text to copy and send (to the police, WeChat, the recipient): never split or joined. */
  | { type: 'copy'; text: string }
  /** A section of the action plan (an end step): paragraphs, like text. */
  | { type: 'plan'; text: string };

/** Long chat bubbles get skipped on phones: text is split at paragraphs to this size. */
export const MAX_BUBBLE_CHARS = 600;

/** A line of `---` opens a copyable block and the next one closes it. */
const FENCE = /^[ \t]*---[ \t]*$/;

/**
 * A rendered text → replies: paragraphs, and the blocks fenced by `---` lines as copyable
 * texts. Call it before user-typed values are put back in (see `render.ts`), so that a name
 * containing `---` or blank lines cannot reshape the structure.
 */
export function structure(text: string, kind: 'text' | 'plan'): Reply[] {
  const out: Reply[] = [];
  let copying = false;
  let lines: string[] = [];
  const flush = () => {
    const body = lines.join('\n').trim();
    lines = [];
    if (body) out.push(copying ? { type: 'copy', text: body } : { type: kind, text: body });
  };
  for (const line of text.split('\n')) {
    if (!FENCE.test(line)) {
      lines.push(line);
      continue;
    }
    flush();
    copying = !copying;
  }
  flush();
  return out;
}

/** Maps every text a reply holds (to put user-typed values back in after `structure`). */
export function mapReplyText(reply: Reply, f: (text: string) => string): Reply {
  return reply.type === 'question'
    ? { ...reply, text: f(reply.text), options: reply.options.map(f) }
    : { ...reply, text: f(reply.text) };
}

/** The text of a question with its options numbered, as the console and WeChat show it. */
export function questionText(reply: Extract<Reply, { type: 'question' }>): string {
  return [reply.text, ...reply.options.map((o, i) => `${i + 1}. ${o}`)].join('\n');
}

/**
 * Bubbles for the console and the personal-account bot, as few as the replies allow (a
 * personal account may send about 20 messages a minute): consecutive replies share a bubble
 * up to `max` characters, split between paragraphs (then lines, then hard); a copyable text is
 * always one bubble of its own, whatever its length or content, so it can be copied whole.
 */
export function toBubbles(replies: readonly Reply[], max = MAX_BUBBLE_CHARS): string[] {
  const bubbles: string[] = [];
  let text: string[] = [];
  const flush = () => {
    if (text.length > 0) bubbles.push(...packParagraphs(text.join('\n\n'), max));
    text = [];
  };
  for (const reply of replies) {
    if (reply.type === 'copy') {
      flush();
      bubbles.push(reply.text);
    } else text.push(reply.type === 'question' ? questionText(reply) : reply.text);
  }
  flush();
  return bubbles;
}

/** The replies as one plain text, for tests and logs of transcripts. */
export function repliesText(replies: readonly Reply[]): string {
  return toBubbles(replies).join('\n\n');
}

/**
 * Paragraphs packed into messages of at most `max`; a longer paragraph is split at line
 * breaks, and a longer line is cut. Not cached: the texts hold user-typed values (red-team m13).
 */
export function packParagraphs(text: string, max: number): string[] {
  const pieces = text
    .split(/\n{2,}/)
    .flatMap((p) => (p.length <= max ? [p] : p.split('\n')))
    .flatMap((p) => (p.length <= max ? [p] : (p.match(new RegExp(`[^]{1,${max}}`, 'g')) ?? [])));
  const messages: string[] = [];
  for (const piece of pieces.map((p) => p.trim()).filter(Boolean)) {
    const last = messages.at(-1);
    if (last !== undefined && last.length + 2 + piece.length <= max)
      messages[messages.length - 1] = `${last}\n\n${piece}`;
    else messages.push(piece);
  }
  return messages;
}
