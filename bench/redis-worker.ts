/**
 * One worker process of `BENCH_STORE=redis npm run bench`: MESSAGES messages, 32 users at a
 * time as fast as possible, through a real runtime on STORE_URL. Prints the seconds the
 * saturated run took (after a warm-up), excluding start-up, and the CPU seconds it used.
 */
import { createLogger } from '../src/log.js';
import { createRuntime, DEFAULT_FLOW_FILE, DEFAULT_LOCALES_DIR } from '../src/runtime.js';

const WALK = ['你好', '不是', '1', '2', '昨天', '500', '跳过', '摘要'];
const messages = Number(process.env.MESSAGES ?? 20_000);
const worker = process.env.WORKER ?? '0';
const runtime = await createRuntime({
  flowFile: DEFAULT_FLOW_FILE,
  localesDir: DEFAULT_LOCALES_DIR,
  dataDir: '',
  storeUrl: process.env.STORE_URL,
  log: createLogger('silent'),
  flood: false,
});

async function drive(count: number, tag: string): Promise<number> {
  let sent = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (sent < count) {
        const userId = `w${worker}-${tag}-${next++}`;
        for (const text of WALK) {
          if (sent >= count) break;
          sent++;
          await runtime.service.handle({ userId, text });
        }
      }
    }),
  );
  return (performance.now() - t0) / 1000;
}

await drive(1000, 'warm');
const cpu = process.cpuUsage();
const seconds = await drive(messages, 'run');
const used = process.cpuUsage(cpu);
// The CPU this process used during the run, so the bench can tell how much of the machine
// the workers and Redis take together.
console.log(JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6 }));
await runtime.close();
