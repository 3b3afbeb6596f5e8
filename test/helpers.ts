import { repliesText } from '../src/core/replies.js';
import { resolve } from 'node:path';
import { loadFlowFile, loadWords } from '../src/adapters/files/flow-files.js';
import { createEngine, type Engine } from '../src/core/engine.js';
import type { Session } from '../src/core/session.js';
import type { Lang } from '../src/shared/types.js';
import type { CompiledFlow } from '../src/flow/compile.js';
import { createTranslators, type Resource, type Translators } from '../src/i18n/index.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const FLOW_FILE = resolve(ROOT, 'flows/reward-code-recovery');
export const LOCALES_DIR = resolve(ROOT, 'locales');

export interface Kit {
  flow: CompiledFlow;
  resources: Resource;
  translators: Translators;
  engine: Engine;
}

export async function loadKit(flowFile = FLOW_FILE): Promise<Kit> {
  const flow = await loadFlowFile(flowFile);
  const resources = await loadWords(LOCALES_DIR, [flow]);
  const translators = createTranslators(resources);
  return { flow, resources, translators, engine: createEngine(flow, translators) };
}

/** A scripted conversation against the pure engine: what a user types, what comes back. */
export function chat(engine: Engine, opts: { now?: Date; lang?: Lang; userId?: string } = {}) {
  let session: Session | undefined | null;
  const now = opts.now ?? new Date('2026-11-28T04:00:00Z');
  return {
    say(text: string): string {
      const outcome = engine.handle(
        session ?? undefined,
        { userId: opts.userId ?? 'u1', text, lang: opts.lang },
        now,
      );
      session = outcome.session;
      return repliesText(outcome.replies);
    },
    get session() {
      return session;
    },
    set session(value) {
      session = value;
    },
  };
}

/** Every file under DATA_DIR/sessions (the store shards them into subdirectories). */
export async function sessionFiles(dataDir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const root = join(dataDir, 'sessions');
  const shards = await readdir(root).catch(() => [] as string[]);
  const out: string[] = [];
  for (const shard of shards)
    for (const f of await readdir(join(root, shard))) out.push(join(root, shard, f));
  return out.sort();
}

/** Runs `src/main.ts` as `npm start` / `npm run flow` do, with piped stdin (not a TTY). */
export function spawnMain(
  args: string[],
  env: Record<string, string> = {},
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return spawnScript('src/main.ts', args, env, stdin);
}

/** A TypeScript file of the repository run in its own Node process, as `npm` would. */
export async function spawnScript(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The session stored under a key, or undefined (contract v2's read, without the revision). */
export async function storedSession(
  store: import('../src/store/port.js').SessionStore,
  key: string,
): Promise<Session | undefined> {
  return (await store.read(key))?.value;
}

/** Writes a session under its user id over whatever is stored (a test's set-up, not a CAS test). */
export async function putSession(
  store: import('../src/store/port.js').SessionStore,
  session: Session,
): Promise<void> {
  const current = await store.read(session.userId);
  const result = await store.write(session.userId, session, current?.revision);
  if (!result.ok) throw new Error('unexpected conflict in test set-up');
}

/** A stored session at a step, for store tests: what the engine would have written. */
export function sampleSession(userId: string, stepId = 'payment-kind'): Session {
  return {
    v: 1,
    userId,
    lang: 'zh-CN',
    flowId: 'reward-code-recovery',
    flowHash: 'h',
    stepId,
    facts: { amount: 500 },
    history: [],
    failures: 0,
    createdAt: '2026-11-28T00:00:00.000Z',
    updatedAt: '2026-11-28T00:00:00.000Z',
  };
}

/**
 * The zh-CN scam transcript's answers (test/transcripts/a-scam.zh-CN.yaml) up to its plan: the
 * last answer, the name on the bill, is the turn whose reply is the long plan.
 */
export const SCAM_WALK_ZH = [
  '你好',
  '没有',
  '1',
  '没有',
  '没有',
  '被骗了',
  '是，分了好几笔',
  '昨天',
  '两千三',
  '小李客服',
] as const;
