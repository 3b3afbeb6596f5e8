import { createHash } from 'node:crypto';
import { ExpectedError } from './shared/errors.js';
import { join, resolve } from 'node:path';
import { assertFlowWords, loadFlowSet, loadWords } from './adapters/files/flow-files.js';
import { loadModelBank } from './adapters/files/model-cache.js';
import {
  createConversationService,
  createMemoryDedup,
  DEFAULT_FLOOD_LIMIT,
  type ConversationService,
  type FloodLimit,
} from './core/conversation.js';
import { createEngine, PIPELINE, type Engine } from './core/engine.js';
import type { HandoffPolicy } from './core/handoff.js';
import type { CompiledFlow } from './flow/compile.js';
import { createTranslators, type Translators } from './i18n/index.js';
import type { Logger } from './log.js';
import { createSessionFileStore } from './store/session-files.js';
import type { SessionStore } from './store/port.js';
import type { Cursors, Deduplicator, FloodGate, SharedValues } from './core/ports.js';
import { createFileCursors, createMemoryCursors } from './store/cursors.js';
import { createMemoryValues } from './store/shared-values.js';
import { withDurableClaims } from './store/claims-file.js';
import { startRetention } from './store/retention.js';
import { createAssistantMetrics, type AssistantMetrics } from './metrics/assistant.js';
import type { HandoffBus } from './core/handoff-bus.js';
import { createMemoryHandoffBus } from './store/handoff-memory.js';
import { createFileHandoffBus } from './store/handoff-files.js';

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
  /** Handoff to a person (an operator side is connected): its timeouts. Absent: none offered. */
  handoff?: HandoffPolicy | undefined;
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
  /** Channel message ids already handled (the service's own), for channels that pull. */
  dedup: Deduplicator;
  /** Where a channel that pulls its messages (微信客服) keeps its place. */
  cursors: Cursors;
  /** Counts for /metrics (serve, and the bot with METRICS_PORT); never a user's id or words. */
  metrics: AssistantMetrics;
  /** The open cases and the handoff's queues between processes (Redis, DATA_DIR/handoff, memory). */
  handoffBus: HandoffBus;
  /** Whether the store answers now (for /readyz): a read that must not fail. */
  storeReachable(): Promise<boolean>;
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
  const resources = await loadWords(options.localesDir, flows).catch(
    unusable('locales directory', options.localesDir),
  );
  for (const each of flows) assertFlowWords(each, resources, options.localesDir);
  const translators = createTranslators(resources);
  // A compiled build trains its classifiers once per content; a start then trains none.
  const { bank } = await loadModelBank(flows, translators);
  const engine = createEngine(flows, translators, flow.definition.id, PIPELINE, {
    handoff: options.handoff,
    models: bank,
  });
  const flood = options.flood ?? DEFAULT_FLOOD_LIMIT;
  const backend = await openBackend(options, flood);
  const { store } = backend;
  const dedup = backend.dedup ?? createMemoryDedup();
  const metrics = createAssistantMetrics(flows);
  const inner = createConversationService({
    engine,
    store,
    ...(backend.floodGate ? { floodGate: backend.floodGate } : {}),
    dedup,
    clock: options.clock ?? (() => new Date()),
    flood,
    // The stack and a short hash of the user, never the message text.
    report: (error, userId) => {
      metrics.error(error);
      options.log.error({ err: error, user: userRef(userId) }, 'message failed');
    },
    observe: (before, after) => metrics.transition(before, after),
  });
  const service = counted(inner, metrics);
  const handoffBus = await openHandoffBus(options);
  return {
    flow,
    flows,
    translators,
    engine,
    store,
    shared: backend.shared ?? createMemoryValues(),
    service,
    dedup,
    cursors: backend.cursors ?? createMemoryCursors(),
    metrics,
    storeReachable: () =>
      withTimeout(store.read(READY_PROBE_KEY), READY_PROBE_MS).then(
        () => true,
        () => false,
      ),
    startRetention: (days, everyHours) => {
      const sweep = store.sweep?.bind(store);
      return sweep ? startRetention({ sweep }, days, everyHours, options.log) : () => undefined;
    },
    handoffBus,
    close: async () => {
      await handoffBus.close();
      await backend.close();
    },
  };
}

/** A key no user has (user keys are `channel:…`): reading it proves the store answers. */
const READY_PROBE_KEY = 'readyz:probe';
const READY_PROBE_MS = 1000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    timer.unref();
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** Every message in and every reply out counted, with the time it took, per channel. */
function counted(service: ConversationService, metrics: AssistantMetrics): ConversationService {
  const timed = async <T extends { replies: unknown[] }>(
    channel: string | undefined,
    work: Promise<T>,
  ) => {
    const t0 = performance.now();
    const turned = await work;
    metrics.message(channel, turned.replies.length, (performance.now() - t0) / 1000);
    return turned;
  };
  return {
    ...service,
    handle: (inbound) => timed(inbound.channel, service.handle(inbound)),
    // Media has no channel field: a user key starts with its channel (`oa:…`, `wechat:…`).
    handleMedia: (userId) => timed(userId.split(':')[0], service.handleMedia(userId)),
  };
}

interface Backend {
  store: SessionStore;
  shared?: SharedValues;
  floodGate?: FloodGate | undefined;
  dedup?: Deduplicator;
  cursors?: Cursors;
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
  // Beside the sessions, so that a restart continues where the last pull stopped.
  const cursors = createFileCursors(resolve(options.dataDir, 'wecom-cursors.json'));
  // Claimed nonces of signed webhook requests survive a restart, as they do in Redis.
  const shared = await withDurableClaims(
    createMemoryValues(),
    join(options.dataDir, 'claims.jsonl'),
  ).catch(unusable('data directory (DATA_DIR)', options.dataDir));
  return { store, cursors, shared, close: () => store.close() };
}

/**
 * Where the handoff's cases and queues are shared: beside the sessions (Redis, or the files
 * under DATA_DIR); in memory when no person can be asked for (no extra connection) or the
 * store was passed in.
 */
async function openHandoffBus(options: RuntimeOptions): Promise<HandoffBus> {
  if (!options.handoff || options.store) return createMemoryHandoffBus();
  if (options.storeUrl) {
    const { connectRedisHandoffBus } = await import('./store/handoff-redis.js');
    return connectRedisHandoffBus(options.storeUrl, options.storePrefix ?? 'zhuihui:');
  }
  return createFileHandoffBus(join(options.dataDir, 'handoff'));
}

/** Paths relative to this package, so an embedding bot finds the shipped flow and words. */
export const PACKAGE_ROOT = resolve(import.meta.dirname, '..');
export const DEFAULT_FLOW_FILE = resolve(PACKAGE_ROOT, 'flows/reward-code-recovery');
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
