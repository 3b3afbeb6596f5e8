import type { IncomingMessage } from 'node:http';

/** A WeChat push is a few KB; anything much larger is refused unread. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The client went away before its body was read (a reset, a closed connection): nothing to
 * answer and nothing of ours failed, so a warning without a stack (red-team m37).
 */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/** The request body as text, or undefined once it passes `MAX_BODY_BYTES` (the webhooks' cap). */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(chunk);
    }
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ECONNRESET' || message === 'aborted')
      throw new ClientGoneError('the client closed the connection mid-request', { cause: error });
    throw error;
  }
  return Buffer.concat(chunks).toString('utf8');
}
