import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { compileFlow, type CompiledFlow } from '../../flow/compile.js';
import { FlowLoadError, type FlowProblem } from '../../flow/problems.js';
import type { FlowDefinition } from '../../flow/schema.js';
import { cached } from './flow-cache.js';
import { LANGS } from '../../shared/types.js';
import type { Resource } from '../../i18n/index.js';
import { missingFlowKeys } from '../../flow/keys.js';

/** Reads and compiles a flow file; problems come back as FlowLoadError with file:line:column. */
export async function loadFlowFile(path: string): Promise<CompiledFlow> {
  const text = await readFile(path, 'utf8');
  const definition = await cached<FlowDefinition>(text, async () => {
    // The YAML parser and the checks load only when the flow is not cached (flow-cache.ts).
    const { parseFlow } = await import('../../flow/load.js');
    return parseFlow(text, relative(process.cwd(), path) || path);
  });
  return compileFlow(definition, createHash('sha256').update(text).digest('hex').slice(0, 16));
}

/**
 * The start flow and every other flow file beside it (`flows/*.yaml`), each validated, with
 * ids unique and every `handover` naming a loaded flow. All problems of all files at once.
 */
export async function loadFlowSet(
  startFile: string,
): Promise<{ start: CompiledFlow; flows: CompiledFlow[] }> {
  const dir = dirname(startFile);
  const names = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const files = [
    startFile,
    ...names.map((n) => join(dir, n)).filter((f) => resolve(f) !== resolve(startFile)),
  ];
  const problems: FlowProblem[] = [];
  const flows: CompiledFlow[] = [];
  const texts = new Map<string, { file: string; text: string }>();
  for (const file of files) {
    try {
      const flow = await loadFlowFile(file);
      const id = flow.definition.id;
      const shown = relative(process.cwd(), file) || file;
      if (texts.has(id))
        problems.push({
          file: shown,
          line: 1,
          column: 1,
          message: `flow id "${id}" is also used by ${texts.get(id)?.file}`,
        });
      else {
        texts.set(id, { file: shown, text: await readFile(file, 'utf8') });
        flows.push(flow);
      }
    } catch (error) {
      if (!(error instanceof FlowLoadError)) throw error;
      problems.push(...error.problems);
    }
  }
  for (const flow of flows) {
    const source = texts.get(flow.definition.id);
    for (const [stepId, step] of Object.entries(flow.definition.steps)) {
      if (step.type !== 'end' || !step.handover || texts.has(step.handover)) continue;
      const at = source ? lineOf(source.text, `handover: ${step.handover}`) : 1;
      problems.push({
        file: source?.file ?? flow.definition.id,
        line: at,
        column: 1,
        message: `step "${stepId}" hands over to flow "${step.handover}", which is not in ${relative(process.cwd(), dir) || dir}; flows: ${[...texts.keys()].join(', ')}`,
      });
    }
  }
  if (problems.length > 0) throw new FlowLoadError(problems);
  const start = flows[0];
  if (!start)
    throw new FlowLoadError([{ file: startFile, line: 1, column: 1, message: 'no flow' }]);
  return { start, flows };
}

function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  return index < 0 ? 1 : text.slice(0, index).split('\n').length;
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
