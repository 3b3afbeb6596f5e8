import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSendQueue } from '../src/adapters/wechaty/send-queue.js';
import { silentLogger } from '../src/log.js';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-28T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('send queue (fake timers)', () => {
  it('spaces sends by the minimum interval plus jitter, in order', async () => {
    const queue = createSendQueue(
      { minIntervalMs: 1000, jitterMs: 500, maxPerMinute: 100, retries: 0, random: () => 0.5 },
      silentLogger,
    );
    const at: Array<[string, number]> = [];
    const all = ['a', 'b', 'c', 'd'].map((m) =>
      queue.enqueue(async () => void at.push([m, Date.now()])),
    );
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(at.map(([m]) => m)).toEqual(['a', 'b', 'c', 'd']);
    const gaps = at.slice(1).map(([, t], i) => t - (at[i]?.[1] ?? 0));
    expect(gaps).toEqual([1250, 1250, 1250]);
  });

  it('never sends more than the per-minute cap in any rolling minute', async () => {
    const queue = createSendQueue(
      { minIntervalMs: 100, jitterMs: 0, maxPerMinute: 5, retries: 0 },
      silentLogger,
    );
    const times: number[] = [];
    const all = Array.from({ length: 12 }, () =>
      queue.enqueue(async () => void times.push(Date.now())),
    );
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(times).toHaveLength(12);
    for (const t of times)
      expect(times.filter((u) => u > t - 60_000 && u <= t).length).toBeLessThanOrEqual(5);
    // The sixth waits for the first to leave the window.
    expect((times[5] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(60_000);
  });

  it('retries a failed send a bounded number of times, then gives up without throwing', async () => {
    const queue = createSendQueue(
      { minIntervalMs: 10, jitterMs: 0, maxPerMinute: 100, retries: 2 },
      silentLogger,
    );
    let tries = 0;
    const failing = queue.enqueue(async () => {
      tries++;
      throw new Error('network');
    });
    const after = queue.enqueue(async () => undefined);
    await vi.runAllTimersAsync();
    expect(await failing).toBe(false);
    expect(tries).toBe(3);
    expect(await after).toBe(true);
  });

  it('drain waits for everything queued', async () => {
    const queue = createSendQueue(
      { minIntervalMs: 1000, jitterMs: 0, maxPerMinute: 100, retries: 0 },
      silentLogger,
    );
    let sent = 0;
    for (let i = 0; i < 3; i++) void queue.enqueue(async () => void sent++).catch(() => undefined);
    const drained = queue.drain().then(() => sent);
    await vi.runAllTimersAsync();
    expect(await drained).toBe(3);
    expect(queue.pending).toBe(0);
  });
});

describe('send queue: no contact stalls the others (fake timers)', () => {
  it('serves contacts round-robin, each in its own order', async () => {
    const queue = createSendQueue(
      { minIntervalMs: 100, jitterMs: 0, maxPerMinute: 1000, retries: 0 },
      silentLogger,
    );
    const sent: string[] = [];
    const all = [
      ...['a1', 'a2', 'a3', 'a4'].map((m) => queue.enqueue(async () => void sent.push(m), 'a')),
      queue.enqueue(async () => void sent.push('b1'), 'b'),
    ];
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(sent).toEqual(['a1', 'b1', 'a2', 'a3', 'a4']);
  });

  it('a send that hangs times out; the other contact is still served; the hung one is given up', async () => {
    const queue = createSendQueue(
      { minIntervalMs: 100, jitterMs: 0, maxPerMinute: 1000, retries: 1, timeoutMs: 1_000 },
      silentLogger,
    );
    const sent: string[] = [];
    const stuck = queue.enqueue(() => new Promise(() => undefined), 'stuck');
    const others = ['b1', 'b2', 'b3'].map((m) => queue.enqueue(async () => void sent.push(m), 'b'));
    await vi.runAllTimersAsync();
    expect(await Promise.all(others)).toEqual([true, true, true]);
    expect(await stuck).toBe(false);
    expect(sent).toEqual(['b1', 'b2', 'b3']);
    expect(queue.pending).toBe(0);
  });

  it('drain gives up after its bound', async () => {
    const queue = createSendQueue(
      { minIntervalMs: 0, jitterMs: 0, maxPerMinute: 1000, retries: 0, timeoutMs: 60_000 },
      silentLogger,
    );
    void queue.enqueue(() => new Promise(() => undefined), 'stuck').catch(() => undefined);
    let drained = false;
    void queue.drain(500).then(
      () => (drained = true),
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(600);
    expect(drained).toBe(true);
  });
});

describe('send queue and wall-clock steps (red-team m7)', () => {
  it('a wall clock set back an hour right after a send does not hold the next one', async () => {
    vi.useRealTimers();
    // Only Date is faked: the queue's spacing must not depend on it.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-28T12:00:00Z') });
    const queue = createSendQueue(
      { minIntervalMs: 20, jitterMs: 0, maxPerMinute: 1000, retries: 0 },
      silentLogger,
    );
    const first = queue.enqueue(async () => {
      vi.setSystemTime(new Date('2026-11-28T11:00:00Z'));
    }, 'a');
    const second = queue.enqueue(async () => undefined, 'b');
    const started = performance.now();
    expect(await Promise.all([first, second])).toEqual([true, true]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('a contact whose sends never settle delays nobody else beyond the pacing (M13)', async () => {
    const queue = createSendQueue(
      { minIntervalMs: 1500, jitterMs: 0, maxPerMinute: 100, retries: 2, timeoutMs: 15_000 },
      silentLogger,
    );
    const sent: Array<[string, number]> = [];
    const start = Date.now();
    // The stuck contact's plan: three bubbles, each tried three times.
    for (let i = 0; i < 3; i++)
      void queue.enqueue(() => new Promise(() => undefined), 'stuck').catch(() => undefined);
    const others = ['b', 'c', 'd', 'e', 'f'].map((who) =>
      queue.enqueue(async () => void sent.push([who, Date.now() - start]), who),
    );
    await vi.advanceTimersByTimeAsync(5 * 1500 + 100);
    expect(await Promise.all(others)).toEqual([true, true, true, true, true]);
    // Each at its place in the pacing: one interval per send before it, none for the stuck one.
    expect(sent.map(([, at]) => at)).toEqual([1500, 3000, 4500, 6000, 7500]);
    // And the stuck contact's bubbles are still tried later, in order, then given up.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(queue.pending).toBe(0);
  });
});
