import type { Session } from '../core/session.js';
import type { SessionStore } from './port.js';

/** For tests and throwaway runs. Copies on the way in and out, like a real store would. */
export function createMemoryStore(): SessionStore & { size(): number } {
  const sessions = new Map<string, string>();
  return {
    get: async (userId) => {
      const raw = sessions.get(userId);
      return raw === undefined ? undefined : (JSON.parse(raw) as Session);
    },
    set: async (session) => void sessions.set(session.userId, JSON.stringify(session)),
    delete: async (userId) => void sessions.delete(userId),
    list: async function* () {
      for (const raw of [...sessions.values()]) yield JSON.parse(raw) as Session;
    },
    size: () => sessions.size,
  };
}
