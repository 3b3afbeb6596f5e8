import type { IncomingMessage } from 'node:http';

/** A WeChat push is a few KB; anything much larger is refused unread. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The request body as text, or undefined once it passes `MAX_BODY_BYTES` (the webhooks' cap). */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
