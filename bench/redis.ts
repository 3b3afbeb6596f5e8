import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { Redis } from 'ioredis';
import { silentLogger } from '../src/log.js';
import { connectRedis } from '../src/store/redis.js';
import type { SessionStore } from '../src/store/port.js';
import { startRedis } from '../test/redis-server.js';

const WORKER_MESSAGES = Number(process.env.BENCH_WORKER_MESSAGES ?? 20_000);

/**
 * BENCH_STORE=redis: a redis-server of the bench's own on a free loopback port, the store on
 * it, and the scale-out figure: saturated throughput of 1 and of 2 worker processes sharing it.
 */
export async function redisBench() {
  // BENCH_REDIS_ARGS: extra redis-server options, e.g. "--appendonly no" for no persistence.
  const server = await startRedis((process.env.BENCH_REDIS_ARGS ?? '').split(' ').filter(Boolean));
  const admin = new Redis(server.url);
  const closers: Array<() => Promise<void>> = [];
  return {
    url: server.url,
    flush: async () => void (await admin.flushall()),
    async store(): Promise<SessionStore> {
      const backend = await connectRedis({
        url: server.url,
        prefix: 'zhuihui:',
        retentionMs: 90 * 86_400_000,
        flood: false,
        log: silentLogger,
      });
      closers.push(backend.close);
      return backend.store;
    },
    usedMb: async () => {
      const info = await admin.info('memory');
      const bytes = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
      return Math.round((bytes / 2 ** 20) * 10) / 10;
    },
    async workers() {
      await admin.flushall();
      const one = await run(1);
      await admin.flushall();
      const two = await run(2);
      return {
        messagesPerWorker: WORKER_MESSAGES,
        oneWorkerMsgsPerSec: one.rate,
        twoWorkersMsgsPerSec: two.rate,
        scaling: Math.round((two.rate / one.rate) * 100) / 100,
        // Cores busy during each run (CPU seconds / wall seconds): the machine's limit shows
        // when workers + Redis approach the number of cores.
        oneWorkerCores: { workers: one.workerCores, redis: one.redisCores },
        twoWorkersCores: { workers: two.workerCores, redis: two.redisCores },
        cores: cpus().length,
      };
    },
    dispose: async () => {
      for (const close of closers) await close();
      admin.disconnect();
      await server.dispose();
    },
  };

  /** `count` worker processes at once, each saturating its own users; total messages/s. */
  async function run(count: number) {
    const redisBefore = await redisCpuSeconds();
    const t0 = performance.now();
    const done = await Promise.all(Array.from({ length: count }, (_, i) => worker(i)));
    const wall = (performance.now() - t0) / 1000;
    const redisCpu = (await redisCpuSeconds()) - redisBefore;
    const seconds = Math.max(...done.map((d) => d.seconds)) || wall;
    const rate = Math.round((count * WORKER_MESSAGES) / seconds);
    const round2 = (n: number) => Math.round(n * 100) / 100;
    // Workers report their own run; Redis is sampled around the whole spawn (start-up and
    // warm-up included, when it is mostly idle), so its share is if anything understated.
    const workerCores = round2(done.reduce((sum, d) => sum + d.cpuSeconds, 0) / seconds);
    const redisCores = round2(redisCpu / wall);
    console.log(
      `${count} worker(s) on one Redis: ${rate} msgs/s; cores busy: workers ${workerCores}, redis ${redisCores}`,
    );
    return { rate, workerCores, redisCores };
  }

  async function redisCpuSeconds(): Promise<number> {
    const info = await admin.info('cpu');
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return field('used_cpu_user') + field('used_cpu_sys');
  }

  function worker(index: number): Promise<{ seconds: number; cpuSeconds: number }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/redis-worker.ts'], {
        env: {
          ...process.env,
          STORE_URL: server.url,
          WORKER: String(index),
          MESSAGES: String(WORKER_MESSAGES),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0
          ? resolve(JSON.parse(out.trim()) as { seconds: number; cpuSeconds: number })
          : reject(new Error(`worker exited ${code}`)),
      );
    });
  }
}
