import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { createRegistry } from '../src/metrics/registry.js';
import { createRuntime } from '../src/runtime.js';
import { DEFAULT_HANDOFF_POLICY } from '../src/core/handoff.js';
import { createMemoryStore } from '../src/store/memory.js';
import { FLOW_FILE, LOCALES_DIR, SCAM_WALK_ZH } from './helpers.js';

describe('metrics', () => {
  it('a conversation to the scam plan is counted: messages, the plan by its end, an unclear answer', async () => {
    const runtime = await createRuntime({
      flowFile: FLOW_FILE,
      localesDir: LOCALES_DIR,
      dataDir: '',
      log: silentLogger,
      store: createMemoryStore(),
      flood: false,
    });
    const { service, metrics } = runtime;
    const say = (text: string) => service.handle({ userId: 'oa:x:o-1', text, channel: 'oa' });
    await say(SCAM_WALK_ZH[0]);
    // Not an answer to a yes/no question: asked again, counted as unclear.
    await say('紫色的大象');
    for (const text of SCAM_WALK_ZH.slice(1)) await say(text);
    const text = metrics.registry.text();
    const count = (line: string) => Number(new RegExp(`^${line} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(count('zhuihui_messages_in_total\\{channel="oa"\\}')).toBe(SCAM_WALK_ZH.length + 1);
    expect(count('zhuihui_messages_in_total\\{channel="wechat"\\}')).toBe(0);
    expect(count('zhuihui_messages_out_total\\{channel="oa"\\}')).toBeGreaterThan(
      SCAM_WALK_ZH.length,
    );
    expect(count('zhuihui_unclear_answers_total')).toBe(1);
    expect(count('zhuihui_scam_plans_total')).toBe(1);
    const end = runtime.flow.definition.escalate?.end ?? '';
    expect(
      count(`zhuihui_plans_total\\{end="${end}",flow="${runtime.flow.definition.id}"\\}`),
    ).toBe(1);
    expect(count('zhuihui_message_seconds_count')).toBe(SCAM_WALK_ZH.length + 1);
    expect(count('zhuihui_handoffs_total')).toBe(0);
    // Counts only: no user key, no words the user sent.
    expect(text).not.toMatch(/o-1|紫色|小李/);
    await runtime.close();
  });

  it('a request for a person that reached the operators is counted once, after consent', async () => {
    const runtime = await createRuntime({
      flowFile: FLOW_FILE,
      localesDir: LOCALES_DIR,
      dataDir: '',
      log: silentLogger,
      store: createMemoryStore(),
      flood: false,
      handoff: DEFAULT_HANDOFF_POLICY,
    });
    const { service, metrics } = runtime;
    const count = () =>
      Number(/^zhuihui_handoffs_total (\d+)$/m.exec(metrics.registry.text())?.[1]);
    const say = (text: string) => service.handle({ userId: 'oa:x:o-2', text, channel: 'oa' });
    await say('我要人工客服');
    // Asked to consent: nothing reached the operators yet.
    expect(count()).toBe(0);
    await say('是');
    expect(count()).toBe(1);
    // Writing while waiting is not another request.
    await say('还在吗');
    expect(count()).toBe(1);
    await runtime.close();
  });

  it('the text format: HELP and TYPE per family, escaped labels, cumulative buckets', () => {
    const registry = createRegistry();
    registry.counter('c_total', 'A counter.', [{ a: 'x"y' }]).inc({ a: 'x"y' }, 2);
    registry.histogram('h_seconds', 'A histogram.', [0.1, 1]).observe(0.5);
    registry.gauge('g', 'A gauge.', () => 3);
    expect(registry.text()).toBe(
      [
        '# HELP c_total A counter.',
        '# TYPE c_total counter',
        'c_total{a="x\\"y"} 2',
        '# HELP h_seconds A histogram.',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{le="0.1"} 0',
        'h_seconds_bucket{le="1"} 1',
        'h_seconds_bucket{le="+Inf"} 1',
        'h_seconds_sum 0.5',
        'h_seconds_count 1',
        '# HELP g A gauge.',
        '# TYPE g gauge',
        'g 3',
        '',
      ].join('\n'),
    );
  });
});
