import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import { fakeWeChat } from './wechat-fake.js';

/**
 * What an operator runs: the compiled build under npm, as systemd or Docker start it. The
 * process boundary is what is under test here (signals through npm, the flow found from the
 * package root, the probes on a real port), so these spawn real processes.
 */
beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Service {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves with the first log line whose msg matches. */
  line: (msg: string) => Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function npmRun(script: string, env: Record<string, string>): Service {
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.push(child);
  let stderr = '';
  const waiting: Array<() => void> = [];
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const check of waiting.splice(0)) check();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const line = (msg: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        for (const text of stderr.split('\n')) {
          if (!text.startsWith('{')) continue;
          const entry = JSON.parse(text) as Record<string, unknown>;
          if (entry.msg === msg) return resolve(entry);
        }
        if (child.exitCode !== null) return reject(new Error(`exited: ${stderr}`));
        waiting.push(check);
      };
      check();
    });
  return { child, stderr: () => stderr, line, exited };
}

describe('the compiled build', () => {
  it('npm start answers with plain node, and finds its flow from the package root', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-deploy-'));
    const out = execFileSync('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
      input: 'hi\n',
    }).toString();
    expect(out).toContain("Hello, I'm the zhuihui");
    // From another working directory too: flows/ and locales/ are the package's.
    const other = await mkdtemp(join(tmpdir(), 'zhuihui-deploy-'));
    const elsewhere = execFileSync(process.execPath, [join(ROOT, 'dist/main.js'), 'chat'], {
      cwd: other,
      env: { ...process.env, DATA_DIR: other },
      input: 'hi\n',
    }).toString();
    expect(elsewhere).toBe(out);
  });

  it('a changed flow is parsed and cached under its own key; a broken one is refused, not cached', async () => {
    const cache = join(ROOT, 'dist/flow-cache');
    const before = await readdir(cache);
    expect(before.length).toBeGreaterThan(0);
    const dir = await mkdtemp(join(tmpdir(), 'zhuihui-deploy-flow-'));
    // The shipped flow folder, copied: an author's change to one of its files is a new flow.
    const flowFile = join(dir, 'reward-code-recovery');
    await cp(join(ROOT, 'flows/reward-code-recovery'), flowFile, { recursive: true });
    const main = join(flowFile, 'flow.yaml');
    const text = await readFile(main, 'utf8');
    const run = (extra: Record<string, string>) =>
      spawnSync(process.execPath, [join(ROOT, 'dist/main.js'), 'chat'], {
        cwd: dir,
        env: { ...process.env, DATA_DIR: dir, FLOW_FILE: flowFile, ...extra },
        input: 'hi\n',
        encoding: 'utf8',
      });
    await writeFile(main, `# an author's note\n${text}`);
    const changed = run({});
    expect(changed.status).toBe(0);
    expect(changed.stdout).toContain("Hello, I'm the zhuihui");
    expect((await readdir(cache)).length).toBe(before.length + 1);
    await writeFile(main, text.replace(/^start: .*$/m, 'start: no-such-step'));
    const broken = run({ DATA_DIR: await mkdtemp(join(tmpdir(), 'zhuihui-deploy-')) });
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/flow\.yaml:\d+:\d+: .*no-such-step/);
    expect((await readdir(cache)).length).toBe(before.length + 1);
  });

  it('npm run serve: probes, counts, a refused signature logged without the request, SIGTERM drains and exits 0', async () => {
    const service = npmRun('serve', {
      DATA_DIR: await mkdtemp(join(tmpdir(), 'zhuihui-deploy-')),
      WECHAT_OA_TOKEN: 'deploytoken1',
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const { url } = (await service.line('webhook listening')) as { url: string };
    const base = url.replace(/\/wechat\/oa$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      checks: { flow: true, store: true, accepting: true },
    });

    const wechat = fakeWeChat({ url, token: 'deploytoken1', appId: 'wxdeploy' });
    const answered = await wechat.text('o-secret-openid', '你好');
    expect(answered.status).toBe(200);
    expect(answered.content).toBeTruthy();
    expect((await wechat.text('o-secret-openid', '你好', undefined, true)).status).toBe(401);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('zhuihui_messages_in_total{channel="oa"} 1\n');
    expect(metrics).toContain('zhuihui_webhook_signature_failures_total 1\n');
    expect(metrics).toMatch(/zhuihui_message_seconds_count 1\n/);
    expect(metrics).not.toContain('o-secret-openid');
    const refused = await service.line('webhook request refused');
    expect(refused).toMatchObject({ cause: 'bad-signature' });
    expect(String(refused.hint)).toContain('WECHAT_OA_TOKEN');
    expect(service.stderr()).not.toContain('o-secret-openid');

    // What systemd and Docker do: SIGTERM to the main process, which under npm is npm itself.
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    await service.line('stopped');
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('npm run bot with METRICS_PORT: probes while not logged in, SIGTERM stops it with exit 0', async () => {
    const service = npmRun('bot', {
      DATA_DIR: await mkdtemp(join(tmpdir(), 'zhuihui-deploy-')),
      WECHATY_PUPPET: 'wechaty-puppet-mock',
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
    });
    const { url } = (await service.line('metrics listening')) as { url: string };
    await service.line('bot started');
    const base = url.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    // The mock puppet never logs in: not ready, and it says why.
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      ready: false,
      checks: { flow: true, store: true, loggedIn: false },
    });
    const metrics = await (await fetch(url)).text();
    expect(metrics).toContain('zhuihui_send_queue_depth 0\n');
    expect(metrics).toContain('zhuihui_channel_errors_total{channel="wechat"} 0\n');

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    await service.line('stopped');
  });
});
