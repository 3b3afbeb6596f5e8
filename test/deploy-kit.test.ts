import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './helpers.js';

/**
 * The deploy kit's shape. Docker itself is not here (no daemon on the CI machines); `.ci/run`
 * builds the image where one is. These checks catch what breaks a deployment quietly: npm
 * between the supervisor and node (SIGTERM lost), root in the container, data outside the
 * volume, workers that do not share Redis, Redis without its append-only file.
 */
const read = (file: string) => readFile(join(ROOT, file), 'utf8');

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
}

describe('deploy kit', () => {
  it('docker-compose.yml: two serve workers and the bot on one Redis with AOF', async () => {
    const compose = parse(await read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, ComposeService>;
    };
    const services = Object.entries(compose.services);
    const redis = compose.services.redis;
    expect(redis?.image).toMatch(/^redis:7/);
    expect(redis?.command?.join(' ')).toContain('--appendonly yes');
    const ours = services.filter(([, s]) => s.build === '.');
    const serve = ours.filter(([, s]) => s.command?.[0] === 'serve');
    const bot = ours.filter(([, s]) => s.command?.[0] === 'bot');
    expect(serve).toHaveLength(2);
    expect(bot).toHaveLength(1);
    for (const [, s] of ours) expect(s.environment?.STORE_URL).toBe('redis://redis:6379/0');
    for (const [, s] of serve) expect(s.environment?.WECHAT_OA_TOKEN).toBeTruthy();
    expect(bot[0]?.[1].volumes).toContainEqual(expect.stringMatching(/:\/data$/));
    expect(bot[0]?.[1].environment?.METRICS_PORT).toMatch(/^\d+$/);
  });

  it('Dockerfile: multi-stage on Debian slim Node 20, non-root, /data a volume, node as the entry point', async () => {
    const lines = (await read('Dockerfile'))
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#'));
    const from = lines.filter((l) => l.startsWith('FROM '));
    expect(from.length).toBeGreaterThanOrEqual(2);
    for (const l of from) expect(l).toMatch(/^FROM node:20-bookworm-slim/);
    expect(lines.some((l) => /npm run build/.test(l))).toBe(true);
    const users = lines.filter((l) => l.startsWith('USER '));
    expect(users.at(-1)).toMatch(/^USER (?!root|0\b)\S+/);
    expect(lines).toContain('VOLUME ["/data"]');
    expect(lines.find((l) => l.startsWith('ENTRYPOINT'))).toBe(
      'ENTRYPOINT ["node", "dist/main.js"]',
    );
    expect(lines.some((l) => /^(CMD|ENTRYPOINT).*npm/.test(l))).toBe(false);
  });

  it('the systemd unit runs node on dist/ as its own user, never npm', async () => {
    const unit = await read('deploy/zhuihui-serve.service');
    expect(unit).toMatch(/^ExecStart=\S*node \S*dist\/main\.js serve$/m);
    expect(unit).toMatch(/^User=(?!root)\S+$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).not.toMatch(/^ExecStart=.*npm/m);
  });
});
