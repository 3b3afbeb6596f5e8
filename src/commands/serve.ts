import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OaConfig, ServeConfig as Config } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { ExpectedError } from '../shared/errors.js';
import { handleProbe, type Probes } from '../adapters/http/probes.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * `npm run serve`: the Official Account webhook (/wechat/oa) and/or 微信客服 (/wechat/kf) on
 * the configured store, until SIGINT or SIGTERM; then no new connections, requests and pulls
 * in flight finished, the store released.
 */
export async function serveCommand(config: Config): Promise<number> {
  const log = createLogger(config.logLevel ?? 'info');
  const runtime = await createRuntime({ ...config, log });
  runtime.startRetention(config.retentionDays, config.retentionSweepHours);
  const { listen } = await import('../adapters/oa/server.js');
  const oaChannel = config.oa
    ? await oaHandler(config.oa, config.logContent, runtime, log)
    : undefined;
  const oa = oaChannel?.handler;
  const kf = config.wecom
    ? (await import('../adapters/wecom/channel.js')).createKfChannel({
        config: config.wecom,
        runtime,
        log,
        logContent: config.logContent,
      })
    : undefined;
  let draining = false;
  const probes: Probes = {
    registry: runtime.metrics.registry,
    // The flow loaded before anything listens; a draining worker takes no new traffic.
    ready: async () => ({
      flow: true,
      store: await runtime.storeReachable(),
      accepting: !draining,
    }),
  };
  // /healthz, /readyz and /metrics beside the webhooks; a reverse proxy forwards only /wechat/*.
  const handler: Handler = (req, res) => {
    if (handleProbe(probes, req, res)) return;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (kf && path === kf.path)
      return void kf.handler(req, res).catch((error: unknown) => {
        log.error({ err: error }, '微信客服 callback failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    if (oa) return oa(req, res);
    res.writeHead(404).end();
  };
  const server = await listen(handler, config.port, config.host).catch((error: unknown) => {
    throw new ExpectedError(
      `zhuihui: cannot listen on ${config.host}:${config.port} (${(error as { code?: string }).code ?? String(error)}). Set PORT or HOST.`,
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  if (config.oa)
    log.info(
      {
        url: `http://${config.host}:${port}/wechat/oa`,
        mode: config.oa.mode,
        safeMode: Boolean(config.oa.encodingAesKey),
      },
      'webhook listening',
    );
  if (kf) log.info({ url: `http://${config.host}:${port}${kf.path}` }, '微信客服 listening');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'shutting down');
  draining = true;
  oaChannel?.stop();
  // No new connections; requests in flight are answered first, then pulls finish.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await kf?.idle();
  await runtime.close();
  log.info('stopped');
  return 0;
}

async function oaHandler(
  oa: OaConfig,
  logContent: boolean,
  runtime: Runtime,
  log: Logger,
): Promise<{ handler: Handler; stop: () => void }> {
  const { createOaHandler } = await import('../adapters/oa/server.js');
  const { createOaApi } = await import('../adapters/oa/api.js');
  const api =
    (oa.mode === 'customer-service' || oa.handoff) && oa.appId && oa.appSecret
      ? createOaApi({ base: oa.apiBase, appId: oa.appId, appSecret: oa.appSecret, log })
      : undefined;
  // Handoff: the operators hear of the users' turns, and their words go out from here.
  const handoff = oa.handoff
    ? (await import('../adapters/oa/handoff.js')).createOaHandoff({
        bus: runtime.handoffBus,
        service: runtime.service,
        api,
        log,
        clock: () => new Date(),
        mode: oa.mode,
      })
    : undefined;
  const stop = handoff?.start() ?? (() => undefined);
  const handler = createOaHandler({
    service: handoff?.service ?? runtime.service,
    translators: runtime.translators,
    shared: runtime.shared,
    settings: {
      token: oa.token,
      appId: oa.appId,
      encodingAesKey: oa.encodingAesKey,
      mode: oa.mode,
      path: '/wechat/oa',
    },
    log,
    logContent,
    metrics: runtime.metrics,
    ...(api && oa.mode === 'customer-service' ? { api } : {}),
  });
  return { handler, stop };
}
