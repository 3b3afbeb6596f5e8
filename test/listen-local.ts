import type { Server } from 'node:http';
import {
  createOaHandler,
  listen,
  type OaDeps,
  type OaSettings,
} from '../src/adapters/oa/server.js';
import { silentLogger } from '../src/log.js';
import { fakeWeChat } from './wechat-fake.js';

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

/** The plain-text OA account the webhook tests sign as (not a real account). */
export const OA_TOKEN = 'zhuihuiToken1';
export const OA_APPID = 'wx1234567890abcdef';

/**
 * A passive-mode OA webhook for `parts` (a runtime, or a handoff's service with a runtime's
 * texts) on a loopback port, closed by `cleanup`, with the fake WeChat that signs for it.
 * Several test files serve one this way; each passes only what its case changes.
 */
export async function servePassiveOa(
  parts: Pick<OaDeps, 'service' | 'translators' | 'shared'>,
  cleanup: Array<() => Promise<void>>,
  options: Partial<Omit<OaDeps, 'service' | 'translators' | 'shared' | 'settings'>> & {
    settings?: Partial<OaSettings>;
  } = {},
) {
  const { settings, ...rest } = options;
  const full: OaSettings = {
    token: OA_TOKEN,
    appId: OA_APPID,
    encodingAesKey: undefined,
    mode: 'passive',
    path: '/wechat/oa',
    ...settings,
  };
  const port = await listenLocal(
    createOaHandler({ ...parts, settings: full, log: silentLogger, ...rest }),
    cleanup,
  );
  const url = `http://127.0.0.1:${port}${full.path}`;
  return { port, url, wechat: fakeWeChat({ url, token: full.token, appId: OA_APPID }) };
}
