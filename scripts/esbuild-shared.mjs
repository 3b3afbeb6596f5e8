// What the build (scripts/build.mjs) and the bundled bench (scripts/bench.mjs) both give
// esbuild, so the bench measures the code as the build ships it.

// Loaded by name at run time (puppets), native or with files beside them (Graphviz's wasm), or
// only for one command: left in node_modules, imported from there when needed.
export const external = [
  'wechaty',
  'wechaty-*',
  '@juzi/*',
  'file-box',
  'ioredis',
  '@viz-js/viz',
  'qrcode-terminal',
];

// An ESM bundle of CommonJS dependencies needs a `require` of its own.
export const banner = {
  js: "import { createRequire as __zhuihuiRequire } from 'node:module'; const require = __zhuihuiRequire(import.meta.url);",
};
