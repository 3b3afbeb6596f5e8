import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, PACKAGE_ROOT } from '../src/config.js';

describe('config', () => {
  it('finds the default flow and words in the package, whatever the working directory', () => {
    const config = loadConfig(['chat'], {});
    expect(config.flowFile).toBe(`${PACKAGE_ROOT}/flows/reward-code-recovery`);
    expect(config.localesDir).toBe(`${PACKAGE_ROOT}/locales`);
  });

  it.each([
    ['RETENTION_SWEEP_HOURS', '720'],
    ['SEND_MIN_INTERVAL_MS', String(2 ** 31)],
    ['RETENTION_DAYS', '0'],
  ])(
    'refuses %s=%s (a timer Node cannot keep, or nonsense) with a clear message',
    (name, value) => {
      expect(() => loadConfig(['chat'], { [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig(['chat'], { [name]: value })).toThrow(name);
    },
  );
});

describe('one typed configuration per command', () => {
  it('each command gets only its own settings', () => {
    const chat = loadConfig(['chat', '--lang', 'en'], {});
    expect(chat.command === 'chat' && chat.lang).toBe('en');
    expect('bot' in chat || 'oa' in chat).toBe(false);
    const bot = loadConfig(['bot'], { SEND_RETRIES: '3' });
    expect(bot.command === 'bot' && bot.bot.send.retries).toBe(3);
    const flow = loadConfig(['flow', 'paths', '--flow', 'x'], {});
    expect(flow.command === 'flow' && flow.args).toEqual(['paths', '--flow', 'x']);
  });

  it('handoff is on only with an operator room, with its timeouts', () => {
    const off = loadConfig(['bot'], {});
    expect(off.command === 'bot' && off.handoff).toBeUndefined();
    const on = loadConfig(['bot'], { HANDOFF_ROOM: 'r1@chatroom', HANDOFF_WAIT_MINUTES: '5' });
    expect(on.command === 'bot' && on.bot.handoffRoom).toBe('r1@chatroom');
    expect(on.command === 'bot' && on.handoff).toEqual({ waitMinutes: 5, silenceHours: 12 });
    expect(() => loadConfig(['bot'], { HANDOFF_WAIT_MINUTES: '0' })).toThrow(
      /HANDOFF_WAIT_MINUTES/,
    );
  });

  it('serve needs its token, and safe or customer-service mode what they need', () => {
    expect(() => loadConfig(['serve'], {})).toThrow(/WECHAT_OA_TOKEN/);
    expect(() =>
      loadConfig(['serve'], { WECHAT_OA_TOKEN: 'abc123', WECHAT_OA_MODE: 'customer-service' }),
    ).toThrow(/WECHAT_OA_APPID and WECHAT_OA_APPSECRET/);
    expect(() =>
      loadConfig(['serve'], {
        WECHAT_OA_TOKEN: 'abc123',
        WECHAT_OA_ENCODING_AES_KEY: 'a'.repeat(43),
      }),
    ).toThrow(/WECHAT_OA_APPID/);
    const serve = loadConfig(['serve'], { WECHAT_OA_TOKEN: 'abc123', PORT: '9000' });
    expect(serve.command === 'serve' && serve.oa).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      mode: 'passive',
    });
  });

  it('a stray word after npm start is refused with the usage', () => {
    expect(() => loadConfig(['chat', 'hello'], {})).toThrow(/unexpected "hello"/);
  });
});
