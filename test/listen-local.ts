import type { Server } from 'node:http';
import { listen, type createOaHandler } from '../src/adapters/oa/server.js';

/**
 * A webhook handler on a loopback port, closed by the test file's cleanup: the port it got.
 * The OA, handoff and Redis tests all serve a handler this way.
 */
export async function listenLocal(
  handler: ReturnType<typeof createOaHandler>,
  cleanup: Array<() => Promise<void>>,
): Promise<number> {
  const server: Server = await listen(handler, 0, '127.0.0.1');
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
