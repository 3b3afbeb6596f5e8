import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runOperatorConsole } from '../src/adapters/console/operator.js';
import { createOaApi } from '../src/adapters/oa/api.js';
import { createOaHandoff, type OaHandoff } from '../src/adapters/oa/handoff.js';
import { silentLogger } from '../src/log.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';
import { FLOW_FILE, LOCALES_DIR } from './helpers.js';
import { OA_APPID as APPID, servePassiveOa } from './listen-local.js';
import { fakeApi, fakeWeChat, type FakeApi } from './wechat-fake.js';

const SECRET = 'appsecret-test';
const ALICE = 'o-alice';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

interface Harness {
  runtime: Runtime;
  api: FakeApi;
  handoff: OaHandoff;
  wechat: ReturnType<typeof fakeWeChat>;
  advanceHours(hours: number): void;
  /** Runs the operator console on these lines (piped input); resolves with what it printed. */
  operator(lines: string[], name?: string): Promise<string>;
  /** What the fake WeChat's customer-service API delivered to Alice. */
  delivered(): string[];
}

/**
 * The Official Account webhook on the fake WeChat (passive mode, so only the operators' words
 * use the customer-service API), with handoff on, and the operator console on the same store,
 * on a clock the test moves. Silence is held for 72 hours so the 48-hour limit can be met
 * while a person still holds the case.
 */
async function start(): Promise<Harness> {
  let now = Date.parse('2026-12-01T09:00:00Z');
  const clock = () => new Date(now);
  const runtime = await createRuntime({
    flowFile: FLOW_FILE,
    localesDir: LOCALES_DIR,
    dataDir: '',
    store: createMemoryStore(),
    log: silentLogger,
    clock,
    flood: false,
    handoff: { waitMinutes: 10, silenceHours: 72 },
  });
  const api = await fakeApi(APPID, SECRET);
  cleanup.push(() => api.close());
  const client = createOaApi({
    base: api.base,
    appId: APPID,
    appSecret: SECRET,
    log: silentLogger,
    attempts: 1,
  });
  const handoff = createOaHandoff({
    bus: runtime.handoffBus,
    service: runtime.service,
    api: client,
    log: silentLogger,
    clock,
    mode: 'passive',
  });
  const { wechat } = await servePassiveOa(
    { service: handoff.service, translators: runtime.translators, shared: runtime.shared },
    cleanup,
  );
  return {
    runtime,
    api,
    handoff,
    wechat,
    advanceHours: (hours) => {
      now += hours * 3_600_000;
    },
    operator: async (lines, name = '小李') => {
      let out = '';
      await runOperatorConsole({
        service: runtime.service,
        bus: runtime.handoffBus,
        translators: runtime.translators,
        input: Readable.from(lines.map((l) => `${l}\n`)),
        output: new Writable({
          write(chunk: Buffer, _enc, done) {
            out += chunk.toString();
            done();
          },
        }),
        log: silentLogger,
        clock,
        name,
        lang: 'zh-CN',
        interactive: false,
        senders: { oa: handoff.send },
      });
      return out;
    },
    delivered: () => api.sent.filter((s) => s.touser === ALICE).map((s) => s.content),
  };
}

/** Alice asks for a person and agrees; resolves with the case reference. */
async function handOver(h: Harness): Promise<string> {
  expect((await h.wechat.text(ALICE, '我要人工客服')).content).toContain(
    '同意把这份摘要转给志愿者吗',
  );
  const waiting = (await h.wechat.text(ALICE, '是')).content ?? '';
  const ref = /#([0-9a-f]{4})/.exec(waiting)?.[1];
  expect(ref).toBeDefined();
  return ref ?? '';
}

describe('handoff on the Official Account, answered from the operator console', () => {
  it('an operator sees the case, takes it, talks through the customer-service API and hands back', async () => {
    const h = await start();
    const ref = await handOver(h);
    const out = await h.operator(['/list', `#${ref} /take`, `#${ref} 你好，我是志愿者小李。`]);
    expect(out).toContain(`#${ref} 等待接手`);
    expect(out).toContain(`#${ref} 新求助`);
    expect(out).toContain(`#${ref} 已由 小李 接手。`);
    expect(out).toContain(`#${ref} 已发给用户。`);
    expect(h.delivered()).toEqual([
      '志愿者已经接手你的情况，接下来由志愿者回复你。',
      '志愿者：你好，我是志愿者小李。',
    ]);
    // The bot stays quiet while the person holds it; the user's words reach the operator.
    expect((await h.wechat.text(ALICE, '谢谢，钱是昨天转的')).content).toBeUndefined();
    const back = await h.operator([`#${ref} /done`]);
    expect(back).toContain(`#${ref} 用户： 谢谢，钱是昨天转的`);
    expect(back).toContain(`#${ref} 已交回机器人。`);
    expect(h.delivered().at(-1)).toContain('回到机器人');
    expect(await h.operator(['/list'])).toContain('现在没有进行中的案件。');
  });

  it('sends at most 5 messages per user message: the 6th is not sent and the operator is told', async () => {
    const h = await start();
    const ref = await handOver(h);
    const words = Array.from({ length: 6 }, (_, i) => `#${ref} 第${i + 1}条`);
    const out = await h.operator(words);
    // Taking the case by speaking: "taken" and the words go out as one message.
    expect(h.delivered()).toHaveLength(5);
    expect(h.delivered().at(-1)).toBe('志愿者：第5条');
    expect(out).toContain(`#${ref} 没有发出：用户每发一条消息，微信只允许回复 5 条`);
    // The user's next message opens the window again.
    await h.wechat.text(ALICE, '在的');
    await h.operator([`#${ref} 第7条`]);
    expect(h.delivered().at(-1)).toBe('志愿者：第7条');
  });

  it('sends nothing 48 hours after the user last wrote, and says why (fake clock)', async () => {
    const h = await start();
    const ref = await handOver(h);
    await h.operator([`#${ref} /take`]);
    h.advanceHours(47.9);
    await h.operator([`#${ref} 还在吗？`]);
    expect(h.delivered().at(-1)).toBe('志愿者：还在吗？');
    h.advanceHours(0.2);
    const out = await h.operator([`#${ref} 48 小时后的话`]);
    expect(h.delivered().at(-1)).toBe('志愿者：还在吗？');
    expect(out).toContain(`#${ref} 没有发出：微信只允许在用户最后一条消息后 48 小时内回复`);
  });

  it("reports WeChat's own refusals (45015, 45047, 43004, others) to the operator", async () => {
    const h = await start();
    const ref = await handOver(h);
    await h.operator([`#${ref} /take`]);
    const told: Record<number, string> = {
      45015: '48 小时内回复',
      45047: '只允许回复 5 条',
      43004: '已经取消关注公众号',
      45009: '这条没能发给用户，请稍后再试。',
    };
    for (const [code, words] of Object.entries(told)) {
      h.api.failNext(Number(code));
      expect(await h.operator([`#${ref} 试一下`])).toContain(words);
    }
    expect(h.delivered()).toHaveLength(1);
  });

  it('words queued by another process (the room) are sent by the OA sender; failures reach both desks', async () => {
    const h = await start();
    const ref = await handOver(h);
    // As the room does when it cannot reach the OA itself: the words go through the queue.
    // No OA sender has run yet on this store: the operator is told the words wait.
    const out = await runOperatorWithoutSender(h, [`#${ref} 排队的话`]);
    expect(out).toContain(`#${ref} 已排队，但现在没有进程在给公众号用户发消息`);
    expect(h.delivered()).toEqual([]);
    await h.handoff.drain();
    expect(h.delivered()).toEqual([
      '志愿者已经接手你的情况，接下来由志愿者回复你。\n\n志愿者：排队的话',
    ]);
    h.advanceHours(49);
    // The sender has been seen now (its drain ran): queued, and any failure comes back.
    expect(await runOperatorWithoutSender(h, [`#${ref} 太晚了`])).toContain(
      `#${ref} 已交给能联系到用户的进程`,
    );
    await h.handoff.drain();
    expect(await h.operator([])).toContain(
      `#${ref} 没有发出：微信只允许在用户最后一条消息后 48 小时内回复`,
    );
  });

  it('a request nobody takes returns to the bot with 12348, through the customer-service API', async () => {
    const h = await start();
    const ref = await handOver(h);
    h.advanceHours(0.2);
    await h.handoff.expire();
    expect(h.delivered().join('\n')).toContain('12348');
    expect(await h.operator(['/list'])).toContain(`#${ref} 无人接手`);
  });

  it('forget takes the user’s words out of the queues; the operators hear only that the case closed', async () => {
    const h = await start();
    const ref = await handOver(h);
    await h.wechat.text(ALICE, '我叫王五，转错了五百块');
    expect((await h.wechat.text(ALICE, '删除我的数据')).content).toContain('删除');
    await h.wechat.text(ALICE, '是');
    const left = [
      ...(await h.runtime.handoffBus.queue('notices:console').take()),
      ...(await h.runtime.handoffBus.queue('notices:room').take()),
    ].join('\n');
    expect(left).not.toContain('王五');
    expect(left).toContain('"reason":"forget"');
    expect(
      await h.runtime.handoffBus.fields('oa-window').get(`oa:${APPID}:${ALICE}`),
    ).toBeUndefined();
    expect(await h.operator(['/list'])).toContain('现在没有进行中的案件。');
    expect(ref).not.toBe('');
  });

  it('an operator’s words and name with `$` in them reach the user and the desk as typed', async () => {
    const h = await start();
    const ref = await handOver(h);
    const out = await h.operator([`#${ref} 金额写 $$500，截图发我：$'`], "小$'李$&");
    expect(h.delivered().join('\n')).toContain("志愿者：金额写 $$500，截图发我：$'");
    expect(out).toContain(`#${ref} 已由 小$'李$& 接手。`);
  });

  it('a case ended by an operator keeps no window: at once from here, after the last words from elsewhere', async () => {
    const h = await start();
    const window = () => h.runtime.handoffBus.fields('oa-window').get(`oa:${APPID}:${ALICE}`);
    const ref = await handOver(h);
    expect(await window()).toBeDefined();
    await h.operator([`#${ref} /done`]);
    expect(h.delivered().at(-1)).toContain('回到机器人');
    expect(await window()).toBeUndefined();
    // From a process that cannot reach the OA (the room): the words wait for the sender,
    // and the window with them, until they are sent.
    const again = await handOver(h);
    await runOperatorWithoutSender(h, [`#${again} /done`]);
    expect(await window()).toBeDefined();
    await h.handoff.drain();
    expect(h.delivered().at(-1)).toContain('回到机器人');
    expect(await window()).toBeUndefined();
  });

  it('unknown references and stray lines get a clear message, never a stack trace', async () => {
    const h = await start();
    const out = await h.operator(['/list', '#abcd 你好', 'hello', '#zz /take', '/help']);
    expect(out).toContain('现在没有进行中的案件。');
    expect(out).toContain('#abcd 不是进行中的案件');
    expect(out.match(/这不是志愿者命令/g)).toHaveLength(2);
    expect(out).toContain('志愿者控制台');
    expect(out).not.toMatch(/Error|at .*\.ts/);
  });
});

/** The operator console of a process that cannot reach the OA (no API here). */
async function runOperatorWithoutSender(h: Harness, lines: string[]): Promise<string> {
  let out = '';
  await runOperatorConsole({
    service: h.runtime.service,
    bus: h.runtime.handoffBus,
    translators: h.runtime.translators,
    input: Readable.from(lines.map((l) => `${l}\n`)),
    output: new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    }),
    log: silentLogger,
    clock: () => new Date(),
    name: '小李',
    lang: 'zh-CN',
    interactive: false,
    senders: {},
  });
  return out;
}
