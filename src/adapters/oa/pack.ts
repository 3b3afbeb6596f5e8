import { questionText, type Reply } from '../../core/replies.js';

/** WeChat's limit for one text message of an Official Account, in bytes of UTF-8. */
export const OA_MAX_BYTES = 2048;

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * A turn's replies packed into as few messages of at most `maxBytes` as they fit in: whole
 * paragraphs joined, a paragraph longer than the limit split at lines (then by characters).
 * With `copyAlone`, a copyable text is a message of its own, so it can be copied whole.
 */
export function packForOa(
  replies: readonly Reply[],
  maxBytes = OA_MAX_BYTES,
  copyAlone = false,
): string[] {
  const messages: string[] = [];
  let current = '';
  const push = (piece: string) => {
    const joined = current ? `${current}\n\n${piece}` : piece;
    if (bytes(joined) <= maxBytes) current = joined;
    else {
      if (current) messages.push(current);
      current = piece;
    }
  };
  const close = () => {
    if (current) messages.push(current);
    current = '';
  };
  for (const reply of replies) {
    const text = reply.type === 'question' ? questionText(reply) : reply.text;
    if (reply.type === 'copy' && copyAlone) {
      close();
      for (const piece of fit(text, maxBytes)) messages.push(piece);
      continue;
    }
    for (const paragraph of text.split(/\n{2,}/))
      for (const piece of fit(paragraph, maxBytes)) push(piece);
  }
  close();
  return messages.filter((m) => m.trim() !== '');
}

/** A text cut into pieces of at most `max` bytes: at line breaks, then between characters. */
function fit(text: string, max: number): string[] {
  if (bytes(text) <= max) return [text];
  const out: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    for (const piece of bytes(line) <= max ? [line] : byChars(line, max)) {
      const joined = current ? `${current}\n${piece}` : piece;
      if (bytes(joined) <= max) current = joined;
      else {
        if (current) out.push(current);
        current = piece;
      }
    }
  }
  if (current) out.push(current);
  return out;
}

function byChars(line: string, max: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of line) {
    if (bytes(current + ch) > max) {
      out.push(current);
      current = '';
    }
    current += ch;
  }
  if (current) out.push(current);
  return out;
}
