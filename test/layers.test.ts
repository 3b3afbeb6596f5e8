import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

/** The layering is enforced by `npm run lint`: a wrong import fails it, with a reason. */
describe('layers point one way', () => {
  const eslint = new ESLint({ cwd: ROOT });
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
