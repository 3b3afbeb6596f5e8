// npm run build (and `prepare`, so `npm install` / `npm ci` build too): src/ → dist/ with
// esbuild. One bundle, split at every dynamic import, so a command loads only its own code:
// the terminal chat never parses Wechaty, Redis, the webhook or the graph renderer. Measured
// on this project: `tsc` emit takes ~12 s and the chat then loads ~400 files from node_modules
// (1.4–1.5 CPU-s to the first reply); this bundle takes <1 s and halves that CPU time.
// Types are checked by `npm run typecheck`, not here.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { shared } from './esbuild-shared.mjs';

// esbuild is a devDependency: `npm ci --omit=dev` still runs `prepare`, and must say what to do.
const { build } = await import('esbuild').catch(() => {
  process.stderr.write(
    'zhuihui: the build needs the devDependencies (esbuild). Install with `npm ci`, build, then `npm prune --omit=dev`.\n',
  );
  process.exit(1);
});

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');

/** A fingerprint of the source: cached compiled flows are valid for this build only. */
async function sourceHash() {
  const hash = createHash('sha256');
  const files = (await readdir(join(root, 'src'), { recursive: true }))
    .filter((f) => f.endsWith('.ts'))
    .sort();
  for (const file of files) hash.update(file).update(await readFile(join(root, 'src', file)));
  hash.update(await readFile(join(root, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * zod ships its messages in ~50 languages behind one `locales` namespace, and `import { z }`
 * keeps them all (~400 KB of the chat's code). Only English is ever used (the default zod sets
 * itself): the namespace is built from `en` alone.
 */
const zodEnglishOnly = {
  // ZHUIHUI_ZOD_ALL=1 keeps every locale (to measure what this saves).
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir)
        ? { path: join(args.resolveDir, '../locales/en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

await rm(outdir, { recursive: true, force: true });
const started = performance.now();
const result = await build({
  entryPoints: { main: join(root, 'src/main.ts') },
  outdir,
  ...shared,
  minify: process.env.ZHUIHUI_MINIFY !== '0',
  plugins: process.env.ZHUIHUI_ZOD_ALL === '1' ? [] : [zodEnglishOnly],
  metafile: Boolean(process.env.ZHUIHUI_METAFILE),
  define: { ZHUIHUI_BUILD_ID: JSON.stringify(await sourceHash()) },
});
if (result.metafile) await writeFile(process.env.ZHUIHUI_METAFILE, JSON.stringify(result.metafile));
// One start of the built chat on the shipped flow (no input, a throwaway DATA_DIR, no .env, no
// Redis) fills dist/flow-cache, so even the first `npm start` after `npm install` is fast.
const scratch = await mkdtemp(join(tmpdir(), 'zhuihui-build-'));
const env = { ...process.env, DATA_DIR: scratch };
for (const name of ['FLOW_FILE', 'LOCALES_DIR', 'STORE_URL']) delete env[name];
try {
  execFileSync(process.execPath, [join(outdir, 'main.js'), 'chat'], {
    cwd: scratch,
    env,
    input: '',
    stdio: ['pipe', 'ignore', 'inherit'],
  });
} finally {
  await rm(scratch, { recursive: true, force: true });
}
process.stderr.write(`zhuihui: built dist/ in ${Math.round(performance.now() - started)} ms\n`);
