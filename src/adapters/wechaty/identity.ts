import { randomBytes } from 'node:crypto';
import type { ContactInterface } from 'wechaty/impls';
import type { Logger } from '../../log.js';

/** Our remark on a contact: opaque, so it says nothing about the person. */
const REMARK_PREFIX = 'zh-';
const REMARK = /^zh-[0-9a-f]{12}$/;

/**
 * A WeChat contact's key for the conversation, stable across logins. Web-protocol puppets
 * give contacts new ids at every login (wechaty#861, #2452), which would orphan every
 * conversation; so, in order of preference:
 *
 * 1. the contact's WeChat handle (微信号), where the puppet gives one;
 * 2. a remark (alias) of ours, set once on a contact that has none: `zh-` and 12 random hex
 *    digits, read back before it is trusted;
 * 3. the puppet's contact id, as before (a puppet that cannot do either).
 *
 * Keys are remembered per contact id for the process, so the remark is read (and set) once.
 */
export function createIdentities(log: Logger, capacity = 50_000) {
  // Promises, not results: a new contact's first messages, arriving together, must not each
  // set a remark of their own (that would split one conversation in two).
  const known = new Map<string, Promise<string>>();
  return {
    async of(contact: ContactInterface): Promise<{ key: string; legacy: string }> {
      const legacy = `wechat:${contact.id}`;
      let key = known.get(contact.id);
      if (!key) {
        key = resolve(contact, legacy);
        if (known.size >= capacity) known.delete(known.keys().next().value as string);
        known.set(contact.id, key);
      }
      return { key: await key, legacy };
    },
  };

  async function resolve(contact: ContactInterface, legacy: string): Promise<string> {
    // Read from the payload: weixin() is deprecated (and logs a stack trace), but
    // wechat4u fills only `weixin`.
    const payload = (contact as { payload?: { handle?: string; weixin?: string } }).payload;
    const handle = payload?.handle || payload?.weixin;
    if (handle) return `wechat:h:${handle}`;
    try {
      const remark = await contact.alias();
      if (remark && REMARK.test(remark)) return `wechat:a:${remark}`;
      if (remark) return legacy; // The operator's own remark: never overwritten.
      const ours = `${REMARK_PREFIX}${randomBytes(6).toString('hex')}`;
      await contact.alias(ours);
      await contact.sync().catch(() => undefined);
      if ((await contact.alias()) === ours) return `wechat:a:${ours}`;
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not read or set a contact remark');
    }
    return legacy;
  }
}
