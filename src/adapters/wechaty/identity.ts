import { randomBytes } from 'node:crypto';
import type { ContactInterface } from 'wechaty/impls';
import type { Logger } from '../../log.js';

/** Our remark on a contact: opaque, so it says nothing about the person. */
const REMARK_PREFIX = 'zh-';
const REMARK = /^zh-[0-9a-f]{12}$/;

/** How long a remark call may take before the contact is answered under its id (red-team m35). */
export const REMARK_TIMEOUT_MS = 5_000;

/**
 * A WeChat contact's key for the conversation, stable across logins. Web-protocol puppets
 * give contacts new ids at every login (wechaty#861, #2452), which would orphan every
 * conversation; so, in order of preference:
 *
 * 1. a remark (alias) of ours, `zh-` and 12 random hex digits, set once on a contact that has
 *    no remark and read back before it is trusted. It stays when the user changes their
 *    WeChat handle, which WeChat allows (red-team m34), so it comes first;
 * 2. the contact's WeChat handle (微信号), where the puppet gives one and cannot keep a remark;
 * 3. the puppet's contact id, as before (a puppet that can do neither, or a remark call that
 *    does not answer within `timeoutMs`).
 *
 * A remark of ours found on a second contact in the same login (an operator copied it) is not
 * trusted: that contact gets a remark of its own, so two people never share a conversation
 * (red-team m33). Keys are remembered per contact id until the next login, so the remark is
 * read (and set) once. `old` lists the keys the conversation may still be stored under.
 */
export function createIdentities(log: Logger, capacity = 50_000, timeoutMs = REMARK_TIMEOUT_MS) {
  // Promises, not results: a new contact's first messages, arriving together, must not each
  // set a remark of their own (that would split one conversation in two).
  let known = new Map<string, Promise<string>>();
  /** Which contact carries each remark of ours in this login. */
  let holders = new Map<string, string>();
  return {
    async of(contact: ContactInterface): Promise<{ key: string; old: string[] }> {
      const legacy = `wechat:${contact.id}`;
      const handle = handleOf(contact);
      let key = known.get(contact.id);
      if (!key) {
        key = resolve(contact, legacy, handle);
        if (known.size >= capacity) known.delete(known.keys().next().value as string);
        known.set(contact.id, key);
      }
      const stable = await key;
      // Moved only towards a steadier key: never from a remark, never onto a per-login id.
      const old = stable.startsWith('wechat:a:')
        ? [legacy, ...(handle ? [`wechat:h:${handle}`] : [])]
        : stable.startsWith('wechat:h:')
          ? [legacy]
          : [];
      return { key: stable, old };
    },
    /** A new login: contact ids may all have changed, so who carries which remark is asked again. */
    newLogin() {
      known = new Map();
      holders = new Map();
    },
  };

  async function resolve(
    contact: ContactInterface,
    legacy: string,
    handle: string | undefined,
  ): Promise<string> {
    const fallback = handle ? `wechat:h:${handle}` : legacy;
    try {
      const remark = await bounded(contact.alias());
      if (remark && REMARK.test(remark)) {
        const holder = holders.get(remark);
        if (holder === undefined || holder === contact.id) {
          hold(remark, contact.id);
          return `wechat:a:${remark}`;
        }
        // The same remark on two contacts at once: the first keeps it, this one gets its own.
        log.warn({}, 'a remark of ours is on a second contact: that contact gets its own');
      } else if (remark) return fallback; // The operator's own remark: never overwritten.
      const ours = `${REMARK_PREFIX}${randomBytes(6).toString('hex')}`;
      await bounded(contact.alias(ours));
      await bounded(contact.sync()).catch(() => undefined);
      if ((await bounded(contact.alias())) === ours) {
        hold(ours, contact.id);
        return `wechat:a:${ours}`;
      }
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not read or set a contact remark');
      // A call that did not answer: the id, not the handle, so a later login can still move
      // the conversation to the remark (an old key is moved only once per process).
      if (error instanceof RemarkTimeout) return legacy;
    }
    return fallback;
  }

  function hold(remark: string, contactId: string) {
    if (holders.size >= capacity) holders.delete(holders.keys().next().value as string);
    holders.set(remark, contactId);
  }

  /** A remark call, given up after `timeoutMs` (a hanging one left running, its result unused). */
  function bounded<T>(call: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RemarkTimeout(timeoutMs)), timeoutMs);
    });
    // A call that fails after the timeout must not become an unhandled rejection.
    call.catch(() => undefined);
    return Promise.race([call, late]).finally(() => clearTimeout(timer));
  }
}

class RemarkTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function handleOf(contact: ContactInterface): string | undefined {
  // Read from the payload: weixin() is deprecated (and logs a stack trace), but wechat4u fills
  // only `weixin`.
  const payload = (contact as { payload?: { handle?: string; weixin?: string } }).payload;
  return payload?.handle || payload?.weixin || undefined;
}
