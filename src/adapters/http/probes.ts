import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from '../../metrics/registry.js';

export interface Probes {
  registry: Registry;
  /** Each check by name (the flow is loaded, the store answers, the channel is logged in). */
  ready(): Promise<Record<string, boolean>>;
}

/**
 * `/healthz` (the process answers), `/readyz` (200 only when every check passes, 503 with the
 * failing checks otherwise) and `/metrics` (Prometheus text). Returns false for any other
 * request, so the caller's own handler (the webhook) gets it. Nothing here reads a request
 * body or says anything about a user.
 */
export function handleProbe(probes: Probes, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' || !['/healthz', '/readyz', '/metrics'].includes(path ?? ''))
    return false;
  if (path === '/healthz') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  else if (path === '/metrics')
    res
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
      .end(probes.registry.text());
  else
    void probes.ready().then(
      (checks) => {
        const ok = Object.values(checks).every(Boolean);
        res
          .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
          .end(`${JSON.stringify({ ready: ok, checks })}\n`);
      },
      () => res.writeHead(503).end(),
    );
  return true;
}

/** A listener with only the probes (the bot, with METRICS_PORT); resolves once it listens. */
export function listenProbes(probes: Probes, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (!handleProbe(probes, req, res)) res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
