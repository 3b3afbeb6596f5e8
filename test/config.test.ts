import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, PACKAGE_ROOT } from '../src/config.js';

describe('config', () => {
  it('finds the default flow and words in the package, whatever the working directory', () => {
    const config = loadConfig(['chat'], {});
    expect(config.flowFile).toBe(`${PACKAGE_ROOT}/flows/reward-code-recovery.yaml`);
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
