import { afterEach, describe, expect, it } from 'vitest';
import { createOaHandler } from '../src/adapters/oa/server.js';
import type { ConversationService } from '../src/core/conversation.js';
import type { Reply } from '../src/core/replies.js';
import { silentLogger } from '../src/log.js';
import { createRuntime } from '../src/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';
import { createMemoryValues } from '../src/store/shared-values.js';
import { FLOW_FILE, LOCALES_DIR } from './helpers.js';
import { listenLocal } from './listen-local.js';
import { fakeWeChat } from './wechat-fake.js';

/**
 * The paging hint is in the user's language on every page, even a page that is all Chinese
 * (the text for the police in an English plan), which a guess from the text called Chinese
 * (red-team M11).
 */
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

const EN_HINT = '(More follows: reply "more" to read it.)';

describe('the webhook’s paging hint', () => {
  it('an English plan whose middle page is all Chinese: every hint is English', async () => {
    const { translators } = await createRuntime({
      flowFile: FLOW_FILE,
      localesDir: LOCALES_DIR,
      dataDir: '',
      store: createMemoryStore(),
      log: silentLogger,
    });
    const plan: Reply[] = [
      { type: 'plan', text: 'Call the police first. '.repeat(80) },
      { type: 'copy', text: '我在微信上被骗了，请帮我查一下这个账号。'.repeat(30) },
      { type: 'plan', text: 'Keep the evidence. '.repeat(90) },
    ];
    const service = {
      handle: async () => ({ replies: plan, lang: 'en' as const }),
      handleMedia: async () => ({ replies: [], lang: 'en' as const }),
      resume: async () => undefined,
    } as unknown as ConversationService;
    const handler = createOaHandler({
      service,
      translators,
      shared: createMemoryValues(),
      settings: {
        token: 't0ken',
        appId: 'wxabc',
        encodingAesKey: undefined,
        mode: 'passive',
        path: '/oa',
      },
      log: silentLogger,
    });
    const port = await listenLocal(handler, cleanup);
    const wechat = fakeWeChat({
      url: `http://127.0.0.1:${port}/oa`,
      token: 't0ken',
      appId: 'wxabc',
    });
    const pages = [(await wechat.text('o-en', 'my plan')).content ?? ''];
    while (pages.length < 5 && /More follows|还有下文/.test(pages.at(-1) ?? ''))
      pages.push((await wechat.text('o-en', 'more')).content ?? '');
    expect(pages).toHaveLength(3);
    expect(pages[1]).toContain('我在微信上被骗了');
    for (const page of pages.slice(0, -1)) expect(page.endsWith(EN_HINT), page).toBe(true);
  });
});
