// What the build (scripts/build.mjs) and the bundled bench (scripts/bench.mjs) both give
// esbuild, so the bench measures the code as the build ships it.

// Loaded by name at run time (puppets), native or with files beside them (Graphviz's wasm), or
// only for one command: left in node_modules, imported from there when needed.
const external = [
  'wechaty',
  'wechaty-*',
  '@juzi/*',
  'file-box',
  'ioredis',
  '@viz-js/viz',
  'qrcode-terminal',
];

// Bundled CommonJS packages call require(); an ES module has none of its own.
const banner = {
  js: "import { createRequire as __zhuihuiRequire } from 'node:module'; const require = __zhuihuiRequire(import.meta.url);",
};

/** The options both bundles share: one ESM bundle for Node 20, split, with its source map. */
export const shared = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
  banner,
};
