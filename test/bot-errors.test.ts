import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBot } from '../src/commands/bot.js';
import { loadConfig, type BotConfig } from '../src/config.js';
import type { Logger } from '../src/log.js';
import { createRuntime } from '../src/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';

/** What the bot logs for Wechaty's errors: the no-network loop is one line per change. */
describe('the bot’s error log', () => {
  it('logs an error once, again only when it changes, and counts every one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'zhuihui-bot-errors-'));
    const lines: Array<{ level: string; fields: unknown; msg: unknown }> = [];
    const at =
      (level: string) =>
      (fields: unknown, msg?: unknown): void =>
        void lines.push({ level, fields, msg });
    const log = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
    const config = loadConfig(['bot'], {
      DATA_DIR: dataDir,
      WECHATY_PUPPET: 'wechaty-puppet-mock',
    }) as BotConfig;
    const runtime = await createRuntime({ ...config, log, store: createMemoryStore() });
    const { bot } = buildBot(config, runtime, log as unknown as Logger);
    // What Wechaty does when a puppet fails (its types hide the emitter's `emit`).
    const emit = (error: Error) => (bot as unknown as NodeJS.EventEmitter).emit('error', error);
    const offline = new Error('getaddrinfo ENOTFOUND login.wx.qq.com');
    for (let i = 0; i < 50; i++) emit(offline);
    emit(new Error('connect ETIMEDOUT'));
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0]?.fields).toEqual({ err: offline.message });
    expect(errors[1]?.fields).toEqual({
      err: 'connect ETIMEDOUT',
      previous: offline.message,
      previousRepeats: 49,
    });
    expect(runtime.metrics.registry.text()).toContain(
      'zhuihui_channel_errors_total{channel="wechat"} 51\n',
    );
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});
