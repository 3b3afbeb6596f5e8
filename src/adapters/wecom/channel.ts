import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConversationService } from '../../core/conversation.js';
import type { Cursors, Deduplicator, SharedValues } from '../../core/ports.js';
import type { Translators } from '../../i18n/index.js';
import type { Logger } from '../../log.js';
import { createWecomApi, type WecomApi } from './api.js';
import { createKfCallback } from './callback.js';
import type { KfHandoffHooks } from './handoff.js';
import { createKfPuller } from './pull.js';
import { createKfReceiver } from './receive.js';
import { createNativeHandoff } from './native-handoff.js';
import { createKfSender } from './send.js';

/** 微信客服's settings (config.ts WecomConfig, parsed from WECOM_*). */
export interface KfSettings {
  corpId: string;
  secret: string;
  token: string;
  encodingAesKey: string;
  apiBase: string;
  menu: boolean;
  handoff: boolean;
  servicer: string | undefined;
}

/** What the channel uses of the runtime. */
export interface KfRuntime {
  service: ConversationService;
  shared: SharedValues;
  translators: Translators;
  dedup: Deduplicator;
  cursors: Cursors;
}

export interface KfChannelOptions {
  config: KfSettings;
  runtime: KfRuntime;
  log: Logger;
  logContent?: boolean;
  /** Default `/wechat/kf`. */
  path?: string;
  hooks?: KfHandoffHooks;
  /** Default: WeCom's API at config.apiBase. */
  api?: WecomApi;
  startedAt?: number;
}

export interface KfChannel {
  path: string;
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  api: WecomApi;
  /** Resolves when every pull started so far has finished (tests; a clean shutdown). */
  idle(): Promise<void>;
}

/** 微信客服 put together: the callback, the pull that follows it, the conversation, the sends. */
export function createKfChannel(options: KfChannelOptions): KfChannel {
  const { config, runtime, log } = options;
  const api =
    options.api ??
    createWecomApi({ base: config.apiBase, corpId: config.corpId, secret: config.secret, log });
  // WECOM_HANDOFF=1: the handoff state rides on WeCom's own (unless a test passes hooks).
  const native = config.handoff
    ? createNativeHandoff({ api, service: runtime.service, log, servicer: config.servicer })
    : undefined;
  const hooks = options.hooks ?? native?.hooks;
  const sender = createKfSender({
    api,
    shared: runtime.shared,
    translators: runtime.translators,
    log,
    menu: config.menu,
    ...(hooks ? { hooks } : {}),
  });
  const receive = createKfReceiver({
    service: runtime.service,
    dedup: runtime.dedup,
    shared: runtime.shared,
    sender,
    corpId: config.corpId,
    log,
    ...(options.logContent ? { logContent: true } : {}),
    ...(hooks ? { hooks } : {}),
    ...(native ? { afterTurn: native.afterTurn } : {}),
  });
  const puller = createKfPuller({
    api,
    cursors: runtime.cursors,
    shared: runtime.shared,
    log,
    handle: receive,
    ...(options.startedAt !== undefined ? { startedAt: options.startedAt } : {}),
  });
  const running = new Set<Promise<void>>();
  const path = options.path ?? '/wechat/kf';
  const handler = createKfCallback(
    { corpId: config.corpId, token: config.token, encodingAesKey: config.encodingAesKey },
    (notice) => {
      const run = puller
        .notify(notice.openKfId, notice.token)
        .catch((error: unknown) => log.error({ err: error }, '微信客服 pull failed'));
      running.add(run);
      // `run` never rejects (its failure is logged above).
      const forget = () => running.delete(run);
      run.then(forget, forget);
    },
    log,
  );
  return {
    path,
    handler,
    api,
    idle: async () => {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
