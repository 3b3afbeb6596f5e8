/**
 * Start-up of the compiled terminal chat (issue 25: ≤ 0.3 s on a quiet machine): wall time
 * from spawning `node dist/main.js chat` to the first byte of its first reply to "你好", and
 * the process's peak RSS. Plain `node -e` is measured beside it: on a busy machine that floor
 * moves, and the difference is what zhuihui itself costs. The build runs first, so the
 * figures are for the source as it is (and its flow cache is warm, as after `npm install`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = join(import.meta.dirname, '..');
/** The console without Redis: the case the 0.3 s target is about. */
const environment = { ...process.env };
delete environment.STORE_URL;
const RUNS = 9;
/** Preloaded into the measured process: prints its peak RSS (KiB) on exit. */
const REPORT_RSS =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nmaxrss="+process.resourceUsage().maxRSS+"\\n"))';

interface Run {
  firstReplyMs: number;
  peakRssMb: number;
}

async function once(args: string[]): Promise<Run> {
  const dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-startup-'));
  try {
    return await new Promise<Run>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, ['--import', REPORT_RSS, ...args], {
        cwd: ROOT,
        env: { ...environment, DATA_DIR: dataDir },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let first: number | undefined;
      let stderr = '';
      child.stdout.once('data', () => (first = performance.now() - t0));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin.end('你好\n');
      child.on('error', reject);
      child.on('exit', (code) => {
        const rss = /maxrss=(\d+)/.exec(stderr)?.[1];
        if (code !== 0 || first === undefined || !rss)
          return reject(new Error(`start-up run failed (exit ${code}): ${stderr.slice(0, 500)}`));
        resolve({ firstReplyMs: first, peakRssMb: Number(rss) / 1024 });
      });
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function series(args: string[]) {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(args));
  const times = runs.map((r) => r.firstReplyMs).sort((a, b) => a - b);
  return {
    medianMs: Math.round(times[Math.floor(times.length / 2)] ?? 0),
    minMs: Math.round(times[0] ?? 0),
    peakRssMb: Math.round(Math.max(...runs.map((r) => r.peakRssMb))),
  };
}

export async function startupBench() {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
  const chat = await series([join(ROOT, 'dist/main.js'), 'chat']);
  const bareNode = await series(['-e', 'process.stdout.write("x")']);
  const result = { runs: RUNS, chat, bareNode, chatOverNodeMs: chat.medianMs - bareNode.medianMs };
  console.log(
    `start-up to first reply (compiled chat): median ${chat.medianMs} ms (min ${chat.minMs}), peak RSS ${chat.peakRssMb} MB; bare node ${bareNode.medianMs} ms, ${bareNode.peakRssMb} MB`,
  );
  return result;
}
