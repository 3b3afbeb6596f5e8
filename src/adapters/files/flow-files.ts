import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { compileFlow, type CompiledFlow } from '../../flow/compile.js';
import { FlowLoadError, parseFlow } from '../../flow/load.js';
import { LANGS } from '../../shared/types.js';
import type { Resource } from '../../i18n/index.js';
import { missingFlowKeys } from '../../flow/keys.js';

/** Reads and compiles a flow file; problems come back as FlowLoadError with file:line:column. */
export async function loadFlowFile(path: string): Promise<CompiledFlow> {
  const text = await readFile(path, 'utf8');
  const definition = parseFlow(text, relative(process.cwd(), path) || path);
  return compileFlow(definition, createHash('sha256').update(text).digest('hex').slice(0, 16));
}

/** Reads `locales/<lang>/<namespace>.json` for every language the assistant speaks. */
export async function loadLocales(dir: string): Promise<Resource> {
  const resources: Resource = {};
  for (const lang of LANGS) {
    const files = (await readdir(join(dir, lang))).filter((f) => f.endsWith('.json')).sort();
    resources[lang] = {};
    for (const file of files) {
      const path = join(dir, lang, file);
      try {
        resources[lang][file.slice(0, -'.json'.length)] = JSON.parse(await readFile(path, 'utf8'));
      } catch (error) {
        throw new FlowLoadError([
          {
            file: relative(process.cwd(), path),
            line: 1,
            column: 1,
            message: `not valid JSON: ${(error as Error).message}`,
          },
        ]);
      }
    }
  }
  return resources;
}

/** Every word a flow shows must exist in every language, or start-up stops. */
export function assertFlowWords(flow: CompiledFlow, resources: Resource, localesDir: string): void {
  const problems = missingFlowKeys(flow.definition, resources).map(({ lang, key }) => ({
    file: relative(process.cwd(), join(localesDir, lang, `${flow.definition.id}.json`)),
    line: 1,
    column: 1,
    message: `missing key "${key}"`,
  }));
  if (problems.length > 0) throw new FlowLoadError(problems);
}
