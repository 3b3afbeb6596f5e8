import { createHash } from 'node:crypto';
import { ExpectedError } from './shared/errors.js';
import { join, resolve } from 'node:path';
import { assertFlowWords, loadFlowSet, loadLocales } from './adapters/files/flow-files.js';
import {
  createConversationService,
  DEFAULT_FLOOD_LIMIT,
  type ConversationService,
  type FloodLimit,
} from './core/conversation.js';
import { createEngine, type Engine } from './core/engine.js';
import type { CompiledFlow } from './flow/compile.js';
import { createTranslators, type Translators } from './i18n/index.js';
import type { Logger } from './log.js';
import { createSessionFileStore } from './store/session-files.js';
import type { SessionStore } from './store/port.js';
import type { Deduplicator, FloodGate, SharedValues } from './core/ports.js';
import { createMemoryValues } from './store/shared-values.js';
import { withDurableClaims } from './store/claims-file.js';
import { startRetention } from './store/retention.js';

export interface RuntimeOptions {
  flowFile: string;
  localesDir: string;
  dataDir: string;
  log: Logger;
  /** Defaults to Redis when storeUrl is set, else the per-user session files under dataDir. */
  store?: SessionStore;
  /** redis:// or rediss://: sessions, flood limits and message ids shared by several processes. */
  storeUrl?: string | undefined;
  storePrefix?: string;
  /** Sessions idle this long are deleted (a sweep of the files, a key's TTL in Redis). */
  retentionDays?: number;
  clock?: () => Date;
  /** Per-user flood limit; false for none (the console). Default DEFAULT_FLOOD_LIMIT. */
  flood?: FloodLimit | false;
  /** Flush every session write to disk (FSYNC=1). */
  fsync?: boolean;
}

export interface Runtime {
  /** The start flow (FLOW_FILE). */
  flow: CompiledFlow;
  /** Every flow loaded: the start flow and the flow files beside it. */
  flows: CompiledFlow[];
  translators: Translators;
  engine: Engine;
  store: SessionStore;
  /** Values a channel keeps between requests, shared by every process on the same store. */
  shared: SharedValues;
  service: ConversationService;
  /** Starts the periodic retention sweep when the store needs one (a TTL store does not). */
  startRetention(days: number, everyHours: number): () => void;
  /** Releases the store (its directory lock, its connections). */
  close(): Promise<void>;
}

/** Everything a front end needs, read from files once. Throws FlowLoadError on a bad flow. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { start: flow, flows } = await loadFlowSet(options.flowFile).catch(
    unusable('flow file', options.flowFile),
  );
  const resources = await loadLocales(options.localesDir).catch(
    unusable('locales directory', options.localesDir),
  );
  for (const each of flows) assertFlowWords(each, resources, options.localesDir);
  const translators = createTranslators(resources);
  const engine = createEngine(flows, translators, flow.definition.id);
  const flood = options.flood ?? DEFAULT_FLOOD_LIMIT;
  const backend = await openBackend(options, flood);
  const { store } = backend;
  const service = createConversationService({
    engine,
    store,
    ...(backend.floodGate ? { floodGate: backend.floodGate } : {}),
    ...(backend.dedup ? { dedup: backend.dedup } : {}),
    clock: options.clock ?? (() => new Date()),
    flood,
    // The stack and a short hash of the user, never the message text.
    report: (error, userId) =>
      options.log.error({ err: error, user: userRef(userId) }, 'message failed'),
  });
  return {
    flow,
    flows,
    translators,
    engine,
    store,
    shared: backend.shared ?? createMemoryValues(),
    service,
    startRetention: (days, everyHours) => {
      const sweep = store.sweep?.bind(store);
      return sweep ? startRetention({ sweep }, days, everyHours, options.log) : () => undefined;
    },
    close: async () => {
      await backend.close();
    },
  };
}

interface Backend {
  store: SessionStore;
  shared?: SharedValues;
  floodGate?: FloodGate | undefined;
  dedup?: Deduplicator;
  close(): Promise<void>;
}

/** The store a command uses: one passed in, Redis (STORE_URL), or the files under DATA_DIR. */
async function openBackend(options: RuntimeOptions, flood: FloodLimit | false): Promise<Backend> {
  if (options.store) {
    const { store } = options;
    return { store, close: async () => void (await store.close?.()) };
  }
  if (options.storeUrl) {
    // Loaded only when asked for: most installations never talk to Redis.
    const { connectRedis } = await import('./store/redis.js');
    const redis = await connectRedis({
      url: options.storeUrl,
      prefix: options.storePrefix ?? 'zhuihui:',
      retentionMs: (options.retentionDays ?? 90) * 86_400_000,
      flood,
      log: options.log,
    });
    return redis;
  }
  const store = await createSessionFileStore(options.dataDir, options.log, {
    fsync: options.fsync ?? false,
  }).catch(unusable('data directory (DATA_DIR)', options.dataDir));
  // Claimed nonces of signed webhook requests survive a restart, as they do in Redis.
  const shared = await withDurableClaims(
    createMemoryValues(),
    join(options.dataDir, 'claims.jsonl'),
  ).catch(unusable('data directory (DATA_DIR)', options.dataDir));
  return { store, shared, close: () => store.close() };
}

/** Paths relative to this package, so an embedding bot finds the shipped flow and words. */
export const PACKAGE_ROOT = resolve(import.meta.dirname, '..');
export const DEFAULT_FLOW_FILE = resolve(PACKAGE_ROOT, 'flows/reward-code-recovery.yaml');
export const DEFAULT_LOCALES_DIR = resolve(PACKAGE_ROOT, 'locales');

/** A short, stable pseudonym for logs: enough to follow one user, not to identify them. */
export function userRef(userId: string): string {
  return createHash('sha256').update(userId).digest('hex').slice(0, 10);
}

/**
 * A missing flow or locales file, or a DATA_DIR that is a file, read-only or not ours, is an
 * operator's problem: a clear message and exit 2, not "unexpected error: ENOENT".
 */
function unusable(what: string, path: string) {
  return (error: unknown): never => {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      throw new ExpectedError(
        `zhuihui: cannot use the ${what} ${path} (${code}). Check that it exists and is writable where needed.`,
      );
    }
    throw error;
  };
}
