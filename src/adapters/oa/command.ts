import type { ServeConfig as Config } from '../../config.js';
import { createLogger } from '../../log.js';
import { createRuntime } from '../../runtime.js';
import { ExpectedError } from '../../shared/errors.js';
import { handleProbe, type Probes } from '../http/probes.js';

/**
 * `npm run serve`: the Official Account webhook on the configured store, until SIGINT or
 * SIGTERM; then no new connections, requests in flight answered, the store released.
 */
export async function serveCommand(config: Config): Promise<number> {
  const { oa } = config;
  const log = createLogger(config.logLevel ?? 'info');
  const runtime = await createRuntime({ ...config, log });
  runtime.startRetention(config.retentionDays, config.retentionSweepHours);
  const { createOaHandler, listen } = await import('./server.js');
  const { createOaApi } = await import('./api.js');
  const api =
    oa.mode === 'customer-service' && oa.appId && oa.appSecret
      ? createOaApi({ base: oa.apiBase, appId: oa.appId, appSecret: oa.appSecret, log })
      : undefined;
  const handler = createOaHandler({
    service: runtime.service,
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
    logContent: config.logContent,
    metrics: runtime.metrics,
    ...(api ? { api } : {}),
  });
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
  // /healthz, /readyz and /metrics beside the webhook; a reverse proxy forwards only /wechat/oa.
  const routes: typeof handler = (req, res) => {
    if (!handleProbe(probes, req, res)) handler(req, res);
  };
  const server = await listen(routes, oa.port, oa.host).catch((error: unknown) => {
    throw new ExpectedError(
      `zhuihui: cannot listen on ${oa.host}:${oa.port} (${(error as { code?: string }).code ?? String(error)}). Set PORT or HOST.`,
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : oa.port;
  log.info(
    {
      url: `http://${oa.host}:${port}/wechat/oa`,
      mode: oa.mode,
      safeMode: Boolean(oa.encodingAesKey),
    },
    'webhook listening',
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'shutting down');
  draining = true;
  // No new connections; requests in flight are answered first.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await runtime.close();
  log.info('stopped');
  return 0;
}
