// npm run bench: bench/run.ts bundled with esbuild (as scripts/build.mjs bundles the app) and
// run by plain node. Under tsx the process also holds tsx's loader thread and every module's
// transform (measured: about 40 MB more RSS at start, 241 MB against 150 MB at 100k stored
// sessions), which the service never carries: the RSS figures are for the code as it runs.
// ZHUIHUI_BUILD_ID is left undefined, so, as from src/, no flow or model cache is read: the
// models are trained on first use and held in memory like a start's loaded ones.
// BENCH_TSX=1 runs bench/run.ts under tsx instead.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { shared } from './esbuild-shared.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status;

if (process.env.BENCH_TSX === '1')
  process.exit(run(['--expose-gc', '--import', 'tsx', 'bench/run.ts']) ?? 1);
const { build } = await import('esbuild');
// One level below the root, like dist/: the code finds flows/, locales/ and test/ at `..`.
const outdir = join(root, '.bench-build');
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { run: join(root, 'bench/run.ts') },
  outdir,
  ...shared,
});
// --expose-gc: the bench reports what stays in memory after a collection, beside the peaks.
const status = run(['--expose-gc', join(outdir, 'run.js')]);
await rm(outdir, { recursive: true, force: true });
process.exit(status ?? 1);
