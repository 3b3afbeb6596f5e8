import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LANGS } from '../shared/types.js';
import { FlowLoadError } from '../flow/problems.js';
import { ExpectedError } from '../shared/errors.js';
import type { Runtime, RuntimeOptions } from '../runtime.js';
import { createRuntime } from '../runtime.js';
import { createMemoryStore } from '../store/memory.js';

const DEBOUNCE_MS = 200;

/** `flows/` from the start flow: a folder's parent, or a single file's directory. */
function flowsDirOfSync(flowFile: string): string {
  const isDir = existsSync(flowFile) && statSync(flowFile).isDirectory();
  if (isDir) return dirname(flowFile);
  return basename(flowFile) === 'flow.yaml' ? dirname(dirname(flowFile)) : dirname(flowFile);
}

/**
 * Reloads the flow and its words when their files change and swaps the engine in. A broken
 * edit keeps the last good flow and says what is wrong. Returns a function that stops watching.
 */
export function watchFlow(
  options: RuntimeOptions,
  runtime: Runtime,
  userId: string,
  say: (text: string) => void,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const reload = async () => {
    try {
      const fresh = await createRuntime({ ...options, store: createMemoryStore() });
      runtime.service.replaceEngine(fresh.engine);
      const t = fresh.translators((await runtime.store.read(userId))?.value.lang ?? 'zh-CN');
      const step = await runtime.service.stepOf(userId);
      if (!step) say(t('common:console.reloaded'));
      else if (fresh.flow.step(step)) say(t('common:console.reloadedKept', { step }));
      else say(t('common:console.reloadedStepGone', { step }));
    } catch (error) {
      // A flow file moved away (git stash, an editor that saves by renaming) is an
      // ExpectedError, not a FlowLoadError: it too keeps the last good flow (red-team m30),
      // instead of a rejection nobody handles ending the chat.
      if (error instanceof FlowLoadError || error instanceof ExpectedError)
        say(`${error.message}\n`);
      else say(`${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload().catch(() => undefined), DEBOUNCE_MS);
  };
  // Recursive: a flow folder's files are one level down (Linux: Node ≥ 20).
  const watchers: FSWatcher[] = [
    watch(flowsDirOfSync(options.flowFile), { recursive: true }, onChange),
    ...LANGS.map((lang) => watch(join(options.localesDir, lang), onChange)),
  ];
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
