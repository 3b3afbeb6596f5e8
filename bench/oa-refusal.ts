/**
 * What an unsigned safe-mode body costs the webhook before its 401 (red-team m38: 24–35 ms
 * of CPU per 64 KB body while the whole body was parsed first): CPU milliseconds per refused
 * body, over loopback HTTP, with a 60 KB body of small elements and a signature that does not match.
 */
import { cpuUsage } from 'node:process';
import { createOaHandler, listen } from '../src/adapters/oa/server.js';
import { signature } from '../src/adapters/oa/crypto.js';
import { silentLogger } from '../src/log.js';
import type { Runtime } from '../src/runtime.js';

const BODIES = 200;

export async function oaRefusalBench(runtime: Runtime): Promise<{ unsignedBodyCpuMs: number }> {
  const token = 'benchToken';
  const server = await listen(
    createOaHandler({
      service: runtime.service,
      translators: runtime.translators,
      shared: runtime.shared,
      settings: {
        token,
        appId: 'wxbench',
        encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
        mode: 'passive',
        path: '/oa',
      },
      log: silentLogger,
    }),
    0,
    '127.0.0.1',
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  // An Encrypt field and 60 KB of small elements: the parser's worst kind of body.
  const body = `<xml><Encrypt><![CDATA[QUJD]]></Encrypt>${'<a>b</a>'.repeat(7_500)}</xml>`;
  const post = () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const q = new URLSearchParams({
      timestamp,
      nonce: 'n',
      signature: signature(token, timestamp, 'n'),
      encrypt_type: 'aes',
      msg_signature: '0'.repeat(40),
    });
    return fetch(`http://127.0.0.1:${port}/oa?${q.toString()}`, { method: 'POST', body }).then(
      (r) => r.text(),
    );
  };
  for (let i = 0; i < 20; i++) await post();
  const before = cpuUsage();
  for (let i = 0; i < BODIES; i++) await post();
  const used = cpuUsage(before);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // The client's side (fetch) runs in this process too: the figure is an upper bound.
  return { unsignedBodyCpuMs: Number(((used.user + used.system) / 1000 / BODIES).toFixed(3)) };
}
