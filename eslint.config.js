// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layers point one way (docs/architecture.md): shared ← flow ← core ← i18n, store,
// authoring ← adapters ← runtime ← commands ← cli / main. Each folder may import only from below it.
const NO_IO = {
  group: ['wechaty*', 'lowdb*', 'node:*', 'fs', 'fs/*', 'process', 'path', 'pino*', 'i18next*'],
  message: 'The core does no I/O and loads no library adapters: put this in an adapter.',
};
// Folders by name anywhere in the path; top-level files (runtime.ts…) by a path that climbs to src/.
const above = (folders, layer) => ({
  group: folders.flatMap((f) =>
    f.endsWith('.ts')
      ? ['../', '../../', '../../../'].map((up) => `${up}${f.replace(/\.ts$/, '')}*`)
      : [`**/${f}/**`, `**/${f}/*`],
  ),
  message: `A lower layer must not import from above it (${layer}). See docs/architecture.md.`,
});
const TOP = ['adapters', 'runtime.ts', 'main.ts', 'config.ts', 'index.ts'];
const ADAPTERS = [...TOP, 'log.ts'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'bench/results*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // A promise nobody awaits or handles is a remote crash waiting for its rejection (the
    // webhook's outbox.clear with Redis gone, newcomer F1): type-aware rules refuse it.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_IO,
            above(['flow', 'core', 'i18n', 'store', 'authoring', ...ADAPTERS], 'shared'),
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process'],
    },
  },
  {
    files: ['src/flow/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [NO_IO, above(['core', 'i18n', 'store', 'authoring', ...ADAPTERS], 'flow')] },
      ],
      'no-restricted-globals': ['error', 'process'],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [NO_IO, above(['i18n', 'store', 'authoring', ...ADAPTERS], 'core')] },
      ],
      'no-restricted-globals': ['error', 'process'],
    },
  },
  {
    // Adapters are the I/O around the core; the commands (src/commands/) compose them with the
    // runtime and the configuration, so an adapter never reaches up for either.
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            above(
              ['commands', 'runtime.ts', 'config.ts', 'main.ts', 'index.ts', 'cli.ts'],
              'adapters',
            ),
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/i18n/**/*.ts',
      'src/store/**/*.ts',
      'src/authoring/**/*.ts',
      'src/metrics/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [above(TOP, 'i18n, store, authoring')] }],
    },
  },
);
