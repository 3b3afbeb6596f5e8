import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FloodLimit } from '../core/conversation.js';
import type { Cursors, Deduplicator, FloodGate, SharedValues, Verdict } from '../core/ports.js';
import { ExpectedError, StoreFullError, UnavailableError } from '../shared/errors.js';
import type { Logger } from '../log.js';
import type { SessionStore } from './port.js';
import { sessionOf } from './session-shape.js';

export interface RedisOptions {
  /** redis://[:password@]host:port/db or rediss:// for TLS. */
  url: string;
  /** Every key starts with this, so one Redis can serve several bots. */
  prefix: string;
  /** A session's key expires this long after its last write (RETENTION_DAYS): no sweep. */
  retentionMs: number;
  /** The per-user flood limit shared by every process; false for none. */
  flood: FloodLimit | false;
  log: Logger;
  /**
   * A command not answered within this is given up as unavailable, and a session write that
   * reaches Redis later than this after its read is refused by Redis (red-team M9: a stalled
   * Redis committed turns whose replies nobody saw). Default 3 s.
   */
  commandTimeoutMs?: number;
  /** How long a channel message id is remembered (WeChat retries within about 15 s). */
  dedupMs?: number;
  /**
   * How long connecting may take, ready check included (red-team m24: a port that accepts
   * and never answers hung the start forever). Default 10 s.
   */
  connectTimeoutMs?: number;
}

export interface RedisBackend {
  store: SessionStore;
  shared: SharedValues;
  floodGate: FloodGate | undefined;
  dedup: Deduplicator;
  cursors: Cursors;
  close(): Promise<void>;
}

/**
 * A session's revision and data, Redis's own time (a sample for `redisNow`), and the store's
 * generation (KEYS[2]), set to ARGV[1] when there is none: a Redis restarted empty has none
 * (red-team m25). pcall: a full Redis (maxmemory) refuses the SET, and the read goes on.
 */
const READ = `
local v = redis.call('HMGET', KEYS[1], 'rev', 'data')
local t = redis.call('TIME')
local g = redis.call('GET', KEYS[2])
if not g then
  redis.pcall('SET', KEYS[2], ARGV[1], 'NX')
  g = redis.call('GET', KEYS[2])
end
return {v[1], v[2], t[1], t[2], g}`;

/** Users remembered as having a conversation, at most (oldest out): about 100 bytes each. */
const MAX_KNOWN = 100_000;

/**
 * Compare-and-set on a session hash {rev, data}: written only if the stored revision is still
 * the expected one ('' = nothing stored), and its TTL renewed. A new key's first revision is
 * the server's time in microseconds, not 1: a writer that read before a `forget` can never
 * match the revision of a conversation started after it. %.0f keeps every digit (Lua's
 * tostring would print 1.7e+15).
 */
const WRITE = `
if ARGV[4] ~= '0' then
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000000 + tonumber(t[2]) > tonumber(ARGV[4]) then return 'late' end
end
local current = redis.call('HGET', KEYS[1], 'rev')
if (current or '') ~= ARGV[1] then return '' end
local rev
if current then
  rev = tonumber(current) + 1
else
  local t = redis.call('TIME')
  rev = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
rev = string.format('%.0f', rev)
redis.call('HSET', KEYS[1], 'rev', rev, 'data', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return rev`;

/**
 * Moves an unreadable session (KEYS[1]) aside to KEYS[2], keeping its TTL, unless it was
 * written meanwhile (its revision is no longer ARGV[1]; '' = none): the user starts afresh
 * instead of every write conflicting with a value nobody can read (code review repro A).
 */
const ASIDE = `
local t = redis.call('TYPE', KEYS[1]).ok
if t == 'none' then return 0 end
if t == 'hash' and (redis.call('HGET', KEYS[1], 'rev') or '') ~= ARGV[1] then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
return 1`;

/** SET if absent (with a TTL), else the value there: Redis 6.2 cannot combine NX and GET. */
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

/** A fixed window per key: the count, with the window's expiry set by its first message. */
const COUNT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/** A cursor moved only from the value the pull started from ('' = none yet). */
const ADVANCE = `
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

/** A lease given back only by the holder whose token it still is. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/**
 * Sessions, the flood gate and message-id deduplication in one Redis, so several processes
 * (several WeChat accounts, webhook workers) share them. One hash per user under a hashed
 * key (no WeChat id in key names); writes are compare-and-set in a Lua script, so two
 * processes on one user never overwrite each other; retention is each key's TTL.
 *
 * Commands fail at once while Redis is unreachable (no offline queue), as UnavailableError:
 * the user is asked to send the message again in a moment, and ioredis reconnects by itself.
 */
export async function connectRedis(options: RedisOptions): Promise<RedisBackend> {
  const commandTimeout = options.commandTimeoutMs ?? 3_000;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    // Reconnect every 0.1–2 s for as long as it takes.
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  });
  let lost = false;
  redis.on('error', (error: Error) => {
    if (lost) return;
    lost = true;
    options.log.error({ err: error.message }, 'redis connection lost; retrying');
  });
  redis.on('ready', () => {
    if (lost) options.log.info('redis connection back');
    lost = false;
  });
  const bound = options.connectTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${bound / 1000} s; is it a Redis server?`)),
          bound,
        );
      }),
    ]);
  } catch (error) {
    redis.disconnect();
    throw new ExpectedError(
      `zhuihui: cannot reach Redis at ${redacted(options.url)} (${(error as Error).message}). ` +
        'Check STORE_URL and that the server is running.',
    );
  } finally {
    clearTimeout(timer);
  }
  const { prefix } = options;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await redis.quit().catch(() => redis.disconnect());
  };
  const hashed = (kind: string, key: string) =>
    `${prefix}${kind}:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  const sessionKey = (key: string) => hashed('session', key);
  const unavailable = <T>(work: () => Promise<T>) => bounded(work, commandTimeout);
  /**
   * Redis's clock minus this process's monotonic one (µs), so that a write can carry a
   * deadline in Redis's own time: the moment this process gives the write up (its send plus
   * the command timeout). Every sample is taken when a reply is handled, which is after Redis
   * read its clock, so each one is at most the true offset: the largest is the closest, and
   * a busy event loop only ever makes a deadline earlier (refusing, never accepting, late).
   */
  let offset = Number.NEGATIVE_INFINITY;
  const sample = (seconds: string, micros: string) => {
    offset = Math.max(offset, Number(seconds) * 1e6 + Number(micros) - performance.now() * 1e3);
  };
  const writeDeadline = () =>
    Number.isFinite(offset)
      ? String(Math.round(performance.now() * 1e3 + offset + commandTimeout * 1e3))
      : '0';
  const [seconds, micros] = await redis.time().catch(() => ['', '']);
  if (seconds) sample(String(seconds), String(micros));
  // Outside `session:*`, so that counts (list) never see it; erased by delete (forget).
  const asideKey = (key: string) => hashed('corrupt', key);

  /** Reads as absent, and is moved aside so that it can be overwritten. */
  async function unreadable(key: string, rev: string): Promise<undefined> {
    await redis.eval(ASIDE, 2, sessionKey(key), asideKey(key), rev);
    options.log.warn('a stored session was unreadable; moved aside, starting that user afresh');
    return undefined;
  }

  /**
   * How a conversation lost by Redis is told from one that never was (red-team m25): the store
   * holds a generation, a random value set once; a Redis restarted empty (no persistence) or
   * flushed has none, and the next read sets a new one. This process remembers which users it
   * saw a conversation of, and in which generation (hashed keys only, in memory): such a user
   * found with nothing stored in a later generation lost it. An expiry, or a `forget` on
   * another process, leaves the generation as it is, so neither is taken for a loss. A process
   * started after the loss remembers nobody, and tells nobody.
   */
  const generationKey = `${prefix}generation`;
  let generation: string | undefined;
  const known = new Map<string, string>();
  const lostKeys = new Set<string>();
  const saw = (hash: string) => {
    if (generation === undefined) return;
    known.delete(hash);
    known.set(hash, generation);
    if (known.size > MAX_KNOWN) known.delete(known.keys().next().value as string);
  };
  const found = (hash: string, present: boolean, current: string | null) => {
    if (current !== null) generation = current;
    if (present) return saw(hash);
    const then = known.get(hash);
    if (then === undefined || current === null || then === current) return;
    known.delete(hash);
    lostKeys.add(hash);
  };

  const store: SessionStore = {
    read: (key) =>
      unavailable(async () => {
        let rev: string | null | undefined, data: string | null | undefined;
        try {
          const [r, d, seconds, micros, current] = (await redis.eval(
            READ,
            2,
            sessionKey(key),
            generationKey,
            randomBytes(12).toString('hex'),
          )) as [string | null, string | null, string, string, string | null];
          [rev, data] = [r, d];
          sample(seconds, micros);
          found(sessionKey(key), r != null || d != null, current);
        } catch (error) {
          // A key of another type (a foreign tool's SET) is as unreadable as torn JSON.
          if (/WRONGTYPE/.test((error as Error).message)) return unreadable(key, '');
          throw error;
        }
        if (rev == null && data == null) return undefined;
        try {
          if (rev == null || data == null || !/^\d+$/.test(rev)) throw new SyntaxError('partial');
          return {
            value: sessionOf({ session: JSON.parse(data) }, (u) => u === key),
            revision: Number(rev),
          };
        } catch {
          return unreadable(key, rev ?? '');
        }
      }),
    write: (key, value, expected) =>
      unavailable(async () => {
        const rev = (await redis.eval(
          WRITE,
          1,
          sessionKey(key),
          expected === undefined ? '' : String(expected),
          JSON.stringify(value),
          String(options.retentionMs),
          writeDeadline(),
        )) as string;
        if (rev === 'late') throw new Error('the write reached Redis after its deadline');
        if (rev === '') return { ok: false, conflict: true };
        saw(sessionKey(key));
        return { ok: true, revision: Number(rev) };
      }),
    delete: (key) =>
      unavailable(async () => {
        known.delete(sessionKey(key));
        lostKeys.delete(sessionKey(key));
        await redis.del(sessionKey(key), asideKey(key));
      }),
    lost: (key) => lostKeys.delete(sessionKey(key)),
    async *list() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}session:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length === 0) continue;
        const pipeline = redis.pipeline();
        for (const key of keys) pipeline.hget(key, 'data');
        for (const [, data] of (await pipeline.exec()) ?? []) {
          if (typeof data !== 'string') continue;
          try {
            yield sessionOf({ session: JSON.parse(data) }, () => true);
          } catch {
            // An unreadable value is skipped in counts, as in the file store.
          }
        }
      } while (cursor !== '0');
    },
    close: () => close(),
  };

  const flood = options.flood;
  const floodGate: FloodGate | undefined = flood
    ? {
        admit: (key) =>
          unavailable(async () => {
            const n = Number(
              await redis.eval(COUNT, 1, hashed('flood', key), String(flood.windowMs)),
            );
            const verdict: Verdict =
              n <= flood.messages ? 'ok' : n === flood.messages + 1 ? 'warn' : 'drop';
            return verdict;
          }),
      }
    : undefined;

  const dedupMs = options.dedupMs ?? 10 * 60_000;
  const dedup: Deduplicator = {
    first: (id) =>
      unavailable(
        async () => (await redis.set(hashed('msg', id), '1', 'PX', dedupMs, 'NX')) === 'OK',
      ),
  };

  const shared: SharedValues = {
    get: (key) => unavailable(async () => (await redis.get(hashed('value', key))) ?? undefined),
    set: (key, value, ttlMs) =>
      unavailable(async () => {
        await redis.set(hashed('value', key), value, 'PX', Math.max(1, Math.round(ttlMs)));
      }),
    delete: (key) =>
      unavailable(async () => {
        await redis.del(hashed('value', key));
      }),
    addMember: (key, member, ttlMs) =>
      unavailable(async () => {
        await redis
          .multi()
          .sadd(hashed('value', key), member)
          .pexpire(hashed('value', key), Math.max(1, Math.round(ttlMs)))
          .exec();
      }),
    members: (key) => unavailable(async () => redis.smembers(hashed('value', key))),
    claim: (key, value, ttlMs) =>
      unavailable(async () => {
        const held = (await redis.eval(
          CLAIM,
          1,
          hashed('value', key),
          value,
          String(Math.max(1, Math.round(ttlMs))),
        )) as string | null;
        return held ?? undefined;
      }),
  };

  const cursors: Cursors = {
    get: (key) => unavailable(async () => (await redis.get(hashed('cursor', key))) ?? undefined),
    advance: (key, expected, next) =>
      unavailable(
        async () =>
          Number(await redis.eval(ADVANCE, 1, hashed('cursor', key), expected ?? '', next)) === 1,
      ),
    lease: (key, ttlMs) =>
      unavailable(async () => {
        const token = randomBytes(8).toString('hex');
        const taken = await redis.set(hashed('lease', key), token, 'PX', ttlMs, 'NX');
        return taken === 'OK' ? token : undefined;
      }),
    release: (key, token) =>
      unavailable(async () => {
        await redis.eval(RELEASE, 1, hashed('lease', key), token);
      }),
  };

  return { store, shared, floodGate, dedup, cursors, close };
}

/**
 * Work that gives up after `ms`, as UnavailableError like any Redis failure. Not ioredis's own
 * `commandTimeout`: when this process is busy (1,000 users at once on a loaded core), that
 * timer fires before the replies already waiting in the socket are read, failing healthy
 * commands; here the give-up waits one turn of the event loop (setImmediate runs after the
 * pending I/O), so only a Redis that really has not answered is given up.
 */
function bounded<T>(work: () => Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (error: unknown) => {
      const message = `redis: ${(error as Error).message}`;
      // maxmemory with noeviction: writes are refused, deletes still work (red-team m22).
      const Kind = /^OOM /.test((error as Error).message) ? StoreFullError : UnavailableError;
      reject(new Kind(message, { cause: error }));
    };
    const timer = setTimeout(
      () => setImmediate(() => fail(new Error(`no answer within ${ms} ms`))),
      ms,
    );
    work().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        fail(error);
      },
    );
  });
}

/** The URL without its password, for messages and logs. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'STORE_URL';
  }
}
