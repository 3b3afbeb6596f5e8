import type { Session } from '../core/session.js';
import type { SessionStore } from './port.js';
import { sessionOf } from './session-shape.js';

/**
 * For tests and throwaway runs. Copies on the way in and out, like a real store would, and
 * keeps revisions, so compare-and-set behaves as in the real stores. What it holds is checked
 * on the way out like a file or a Redis value: an unreadable value reads as absent and is
 * dropped, so it can be overwritten (contract v2).
 */
export function createMemoryStore(): SessionStore & {
  size(): number;
  /** Replaces a key's value with `raw` as is, as a damaged backend would hold it (tests). */
  damage(key: string, raw: string): void;
} {
  const entries = new Map<string, { raw: string; revision: number }>();
  const parse = (key: string | undefined, raw: string): Session | undefined => {
    try {
      return sessionOf({ session: JSON.parse(raw) }, (u) => key === undefined || u === key);
    } catch {
      return undefined;
    }
  };
  return {
    read: async (key) => {
      const entry = entries.get(key);
      if (!entry) return undefined;
      const value = parse(key, entry.raw);
      if (!value) entries.delete(key);
      return value && { value, revision: entry.revision };
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
      for (const { raw } of [...entries.values()]) {
        const value = parse(undefined, raw);
        if (value) yield value;
      }
    },
    size: () => entries.size,
    damage: (key, raw) => {
      entries.set(key, { raw, revision: (entries.get(key)?.revision ?? 0) + 1 });
    },
  };
}
