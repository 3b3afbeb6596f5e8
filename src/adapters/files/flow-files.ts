import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { compileFlow, type CompiledFlow } from '../../flow/compile.js';
import { handOverLoops } from '../../flow/graph.js';
import { FlowLoadError, type FlowProblem } from '../../flow/problems.js';
import type { FlowSource } from '../../flow/folder.js';
import type { FlowDefinition } from '../../flow/schema.js';
import { cached } from './flow-cache.js';
import { LANGS } from '../../shared/types.js';
import type { Resource } from '../../i18n/index.js';
import { hasInlineWords, inlineWords, missingFlowKeys } from '../../flow/keys.js';

const shown = (path: string) => relative(process.cwd(), path) || path;

/**
 * Where a flow is: a flow folder (`flows/<id>/`, named by the folder or its `flow.yaml`) or a
 * single flow file (`flows/<id>.yaml`, its words in `locales/`).
 */
export async function flowLocation(path: string): Promise<{ folder?: string; file: string }> {
  const isDir = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (isDir) return { folder: path, file: join(path, 'flow.yaml') };
  if (basename(path) === 'flow.yaml') return { folder: dirname(path), file: path };
  return { file: path };
}

/** The folder all flows live in (`flows/`), from the start flow's location. */
export async function flowsDirOf(path: string): Promise<string> {
  const { folder, file } = await flowLocation(path);
  return folder ? dirname(folder) : dirname(file);
}

/** A flow's YAML files as read: `flow.yaml` first, then the folder's other files by name. */
export async function readFlowSources(path: string): Promise<FlowSource[]> {
  const { folder, file } = await flowLocation(path);
  const names = folder
    ? (await readdir(folder)).filter((f) => /\.ya?ml$/.test(f) && f !== 'flow.yaml').sort()
    : [];
  const paths = [file, ...names.map((n) => join(folder ?? '', n))];
  return Promise.all(paths.map(async (p) => ({ file: shown(p), text: await readFile(p, 'utf8') })));
}

/** Reads and compiles a flow; problems come back as FlowLoadError with file:line:column. */
export async function loadFlowFile(path: string): Promise<CompiledFlow> {
  const { folder } = await flowLocation(path);
  const sources = await readFlowSources(path);
  // The flow's content: every file's name and text (a renamed branch file is a change too).
  const content = sources
    .map((source) => `${source.file.split('/').pop() ?? ''}\0${source.text}`)
    .join('\0');
  const definition = await cached<FlowDefinition>(content, async () => {
    // The YAML parser and the checks load only when the flow is not cached (flow-cache.ts).
    const [first] = sources;
    if (folder || !first) return (await import('../../flow/folder.js')).parseFlowFolder(sources);
    return (await import('../../flow/load.js')).parseFlow(first.text, first.file);
  });
  return compileFlow(definition, createHash('sha256').update(content).digest('hex').slice(0, 16));
}

/** Every flow in a flows folder: its single files and its flow folders. */
export async function flowPaths(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if (/\.ya?ml$/.test(name)) out.push(path);
    else if (
      await stat(join(path, 'flow.yaml')).then(
        () => true,
        () => false,
      )
    )
      out.push(path);
  }
  return out;
}

/**
 * The start flow and every other flow beside it (`flows/*.yaml`, `flows/<id>/`), each
 * validated, with ids unique and every `handover` naming a loaded flow. All problems of all
 * files at once.
 */
export async function loadFlowSet(
  startFile: string,
): Promise<{ start: CompiledFlow; flows: CompiledFlow[] }> {
  const dir = await flowsDirOf(startFile);
  const first = (await flowLocation(startFile)).folder ?? startFile;
  const files = [first, ...(await flowPaths(dir)).filter((f) => resolve(f) !== resolve(first))];
  const problems: FlowProblem[] = [];
  const flows: CompiledFlow[] = [];
  const texts = new Map<string, FlowSource[]>();
  for (const file of files) {
    try {
      const flow = await loadFlowFile(file);
      const id = flow.definition.id;
      if (texts.has(id))
        problems.push({
          file: shown(file),
          line: 1,
          column: 1,
          message: `flow id "${id}" is also used by ${texts.get(id)?.[0]?.file}`,
        });
      else {
        texts.set(id, await readFlowSources(file));
        flows.push(flow);
      }
    } catch (error) {
      if (!(error instanceof FlowLoadError)) throw error;
      problems.push(...error.problems);
    }
  }
  for (const flow of flows) {
    const sources = texts.get(flow.definition.id) ?? [];
    for (const [stepId, step] of Object.entries(flow.definition.steps)) {
      if (step.type !== 'end' || !step.handover || texts.has(step.handover)) continue;
      const needle = `handover: ${step.handover}`;
      const source = sources.find((s) => s.text.includes(needle)) ?? sources[0];
      problems.push({
        file: source?.file ?? flow.definition.id,
        line: source ? lineOf(source.text, needle) : 1,
        column: 1,
        message: `step "${stepId}" hands over to flow "${step.handover}", which is not in ${shown(dir)}; flows: ${[...texts.keys()].join(', ')}`,
      });
    }
  }
  if (problems.length === 0) {
    for (const ring of handOverLoops(flows.map((f) => f.definition))) {
      const [first] = ring;
      if (!first) continue;
      const needle = `handover: ${ring[1]?.flow ?? first.flow}`;
      const source = (texts.get(first.flow) ?? []).find((s) => s.text.includes(needle));
      const way = [...ring.map((r) => r.flow), first.flow].map((id) => `"${id}"`).join(' → ');
      problems.push({
        file: source?.file ?? first.flow,
        line: source ? lineOf(source.text, needle) : 1,
        column: 1,
        message: `flows ${way} hand over in a ring (at step "${first.step}"): the facts are kept, so the flow handed back to walks to the same end again; end one of them with a plan`,
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

/**
 * The words of every language: `locales/` (what all flows share, and the words of a flow kept
 * there) with each flow folder's inline words as that flow's namespace.
 */
export async function loadWords(dir: string, flows: readonly CompiledFlow[]): Promise<Resource> {
  const resources = await loadLocales(dir);
  for (const flow of flows) {
    if (!hasInlineWords(flow.definition)) continue;
    const words = inlineWords(flow.definition);
    for (const lang of LANGS) (resources[lang] ??= {})[flow.definition.id] = words[lang];
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
