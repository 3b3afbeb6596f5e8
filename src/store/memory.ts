import type { Session } from '../core/session.js';
import type { SessionStore } from './port.js';

/**
 * For tests and throwaway runs. Copies on the way in and out, like a real store would, and
 * keeps revisions, so compare-and-set behaves as in the real stores.
 */
export function createMemoryStore(): SessionStore & { size(): number } {
  const entries = new Map<string, { raw: string; revision: number }>();
  return {
    read: async (key) => {
      const entry = entries.get(key);
      return entry && { value: JSON.parse(entry.raw) as Session, revision: entry.revision };
    },
    write: async (key, value, expected) => {
      const current = entries.get(key)?.revision;
      if (current !== expected) return { ok: false, conflict: true };
      const revision = (current ?? 0) + 1;
      entries.set(key, { raw: JSON.stringify(value), revision });
      return { ok: true, revision };
    },
    delete: async (key) => void entries.delete(key),
    list: async function* () {
      for (const { raw } of [...entries.values()]) yield JSON.parse(raw) as Session;
    },
    size: () => entries.size,
  };
}
