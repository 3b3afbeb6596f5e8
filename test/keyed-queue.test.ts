import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from '../src/shared/keyed-queue.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('keyedQueue', () => {
  it('runs one key in order, other keys alongside, and forgets idle keys', async () => {
    const queue = createKeyedQueue();
    const log: string[] = [];
    const job = (key: string, name: string, ms: number) =>
      queue.run(key, async () => {
        log.push(`start ${name}`);
        await later(ms);
        log.push(`end ${name}`);
        return name;
      });
    const results = Promise.all([job('a', 'a1', 30), job('a', 'a2', 1), job('b', 'b1', 5)]);
    expect(queue.busy).toBe(2);
    expect(await results).toEqual(['a1', 'a2', 'b1']);
    // b ran while a1 was still running; a2 waited for a1.
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    await later(0);
    expect(queue.busy).toBe(0);
  });

  it('gives a failure to its caller only; the next piece for the key still runs', async () => {
    const queue = createKeyedQueue();
    const failed = queue.run('a', () => Promise.reject(new Error('boom')));
    const next = queue.run('a', () => Promise.resolve('ok'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
  });
});
