import { Redis } from 'ioredis';
import { QUEUE_MAX_ITEMS, QUEUE_TTL_MS, type HandoffBus } from '../core/handoff-bus.js';
import { UnavailableError } from '../shared/errors.js';

/** Sets (or deletes, ARGV[3] = '1') a field only if it still holds ARGV[1] ('' = nothing). */
const SWAP = `
if (redis.call('HGET', KEYS[1], ARGV[2]) or '') ~= ARGV[1] then return 0 end
if ARGV[4] == '1' then redis.call('HDEL', KEYS[1], ARGV[2]) else redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) end
return 1`;

/** A queue item with the time it was pushed: `<ms> <item>`. */
const stamped = (item: string) => `${Date.now()} ${item}`;
/** An item and its time; items pushed before items had one have none (kept by age). */
function unstamped(raw: string): { at?: number; item: string } {
  const match = /^(\d+) /.exec(raw);
  return match ? { at: Number(match[1]), item: raw.slice(match[0].length) } : { item: raw };
}

/** Tries of a compare-and-set before giving up (another process changing the same field). */
const MAX_TRIES = 200;
/** A retried compare-and-set waits a random while, so that racing writers spread out. */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 1 + attempt)));

/**
 * The handoff's shared fields (a Redis hash: HGET/HSET/HDEL/HGETALL, a compare-and-set in
 * Lua) and queues (a list of time-stamped items: RPUSH and LTRIM, taken with LRANGE and DEL in
 * one MULTI, old items dropped as they are taken; purged with LREM), on a
 * connection of its own to STORE_URL, under STORE_PREFIX.
 */
export async function connectRedisHandoffBus(url: string, prefix: string): Promise<HandoffBus> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  });
  // Its errors are the main connection's too (logged there); commands fail as unavailable.
  redis.on('error', () => undefined);
  await redis.connect();
  const key = (kind: string, name: string) => `${prefix}handoff:${kind}:${name}`;
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new UnavailableError(`redis: ${(error as Error).message}`);
    }
  };
  return {
    fields: (name) => {
      const hash = key('fields', name);
      return {
        get: (field) => guarded(async () => (await redis.hget(hash, field)) ?? undefined),
        set: (field, value) => guarded(async () => void (await redis.hset(hash, field, value))),
        update: (field, f) =>
          guarded(async () => {
            for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
              const before = (await redis.hget(hash, field)) ?? undefined;
              const next = f(before);
              const swapped = await redis.eval(
                SWAP,
                1,
                hash,
                before ?? '',
                field,
                next ?? '',
                next === undefined ? '1' : '0',
              );
              if (Number(swapped) === 1) return next;
              await backoff(attempt);
            }
            throw new Error(`the field ${field} kept changing`);
          }),
        delete: (field) => guarded(async () => void (await redis.hdel(hash, field))),
        all: () => guarded(async () => new Map(Object.entries(await redis.hgetall(hash)))),
      };
    },
    queue: (name) => {
      const list = key('queue', name);
      return {
        push: (item) =>
          guarded(async () => {
            // The list's TTL only ends a queue nobody pushes to any more; each item carries its
            // own time, so that steady traffic does not keep old items (review finding 5).
            await redis
              .multi()
              .rpush(list, stamped(item))
              .ltrim(list, -QUEUE_MAX_ITEMS, -1)
              .pexpire(list, QUEUE_TTL_MS)
              .exec();
          }),
        take: () =>
          guarded(async () => {
            const result = await redis.multi().lrange(list, 0, -1).del(list).exec();
            const items = result?.[0]?.[1];
            const now = Date.now();
            return (Array.isArray(items) ? (items as string[]) : []).flatMap((raw) => {
              const { at, item } = unstamped(raw);
              return at === undefined || now - at <= QUEUE_TTL_MS ? [item] : [];
            });
          }),
        purge: (match) =>
          guarded(async () => {
            const items = await redis.lrange(list, 0, -1);
            const gone = items.filter((raw) => match(unstamped(raw).item));
            if (gone.length === 0) return;
            const multi = redis.multi();
            for (const raw of gone) multi.lrem(list, 0, raw);
            await multi.exec();
          }),
      };
    },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
