import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

/** The layering is enforced by `npm run lint`: a wrong import fails it, with a reason. */
describe('layers point one way', () => {
  // The snippets are not files of the project, so the type-aware rules (which need the
  // TypeScript project) are off for them; the layer rules need no types.
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false, project: null } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/no-misused-promises': 'off',
      },
    },
  });
  const lint = async (file: string, code: string) =>
    (await eslint.lintText(code, { filePath: `${ROOT}/${file}` }))[0]?.messages.map(
      (m) => m.message,
    ) ?? [];

  it.each([
    [
      'src/shared/x.ts',
      "import { parseFlow } from '../flow/load.js';\nexport const a = parseFlow;\n",
    ],
    [
      'src/flow/x.ts',
      "import { createEngine } from '../core/engine.js';\nexport const a = createEngine;\n",
    ],
    [
      'src/core/x.ts',
      "import { createTranslators } from '../i18n/index.js';\nexport const a = createTranslators;\n",
    ],
    [
      'src/core/x.ts',
      "import { createRuntime } from '../runtime.js';\nexport const a = createRuntime;\n",
    ],
    ['src/core/x.ts', "import { readFile } from 'node:fs/promises';\nexport const a = readFile;\n"],
    [
      'src/store/x.ts',
      "import { runConsole } from '../adapters/console/repl.js';\nexport const a = runConsole;\n",
    ],
    [
      'src/adapters/oa/x.ts',
      "import { createRuntime } from '../../runtime.js';\nexport const a = createRuntime;\n",
    ],
    [
      'src/adapters/wechaty/x.ts',
      "import type { BotConfig } from '../../config.js';\nexport type A = BotConfig;\n",
    ],
  ])('%s may not import that', async (file, code) => {
    expect((await lint(file, code)).join(' ')).toMatch(/lower layer|does no I\/O/);
  });

  it('an import from below is fine', async () => {
    expect(
      await lint(
        'src/core/x.ts',
        "import { addDays } from '../shared/calendar.js';\nexport const a = addDays;\n",
      ),
    ).toEqual([]);
  });
});
