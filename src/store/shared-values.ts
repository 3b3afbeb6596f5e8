import type { SharedValues } from '../core/ports.js';

const parsed = (raw: string): string[] => {
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : [];
  } catch {
    return [];
  }
};

/** Shared values in this process's memory: bounded, oldest out first, expired on read. */
export function createMemoryValues(capacity = 50_000): SharedValues {
  const values = new Map<string, { value: string; until: number }>();
  return {
    get: async (key) => {
      const entry = values.get(key);
      if (!entry) return undefined;
      if (entry.until < Date.now()) {
        values.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set: async (key, value, ttlMs) => {
      values.delete(key);
      values.set(key, { value, until: Date.now() + ttlMs });
      if (values.size > capacity) values.delete(values.keys().next().value as string);
    },
    delete: async (key) => void values.delete(key),
    // A set is its members as a JSON array: one process, so read-change-write is atomic here.
    addMember: async (key, member, ttlMs) => {
      const entry = values.get(key);
      const live = entry && entry.until >= Date.now() ? parsed(entry.value) : [];
      values.delete(key);
      values.set(key, {
        value: JSON.stringify([...live.filter((m) => m !== member), member]),
        until: Date.now() + ttlMs,
      });
      if (values.size > capacity) values.delete(values.keys().next().value as string);
    },
    members: async (key) => {
      const entry = values.get(key);
      return entry && entry.until >= Date.now() ? parsed(entry.value) : [];
    },
    claim: async (key, value, ttlMs) => {
      const entry = values.get(key);
      if (entry && entry.until >= Date.now()) return entry.value;
      values.delete(key);
      values.set(key, { value, until: Date.now() + ttlMs });
      if (values.size > capacity) values.delete(values.keys().next().value as string);
      return undefined;
    },
  };
}
