import { basename, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listTranscripts, loadTranscript } from '../src/adapters/files/transcripts.js';
import { formatTranscriptResult, runTranscript } from '../src/authoring/transcript.js';
import { ROOT, loadKit, type Kit } from './helpers.js';

const files = await listTranscripts(resolve(ROOT, 'test/transcripts'));
let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});

describe('golden transcripts', () => {
  it('there is one per branch in each language', () => {
    const names = files.map((f) => basename(f));
    for (const branch of ['a-scam', 'b-wrong-recipient', 'b-wrong-amount', 'c-minor', 'd-regret']) {
      expect(names).toContain(`${branch}.zh-CN.yaml`);
      expect(names).toContain(`${branch}.en.yaml`);
    }
  });

  it.each(files.map((f) => [basename(f), f]))('%s', async (_name, file) => {
    const result = runTranscript(kit.engine, await loadTranscript(file));
    expect(result.ok, formatTranscriptResult(basename(file), result)).toBe(true);
  });

  it('a failing transcript is reported with the first mismatch marked', () => {
    const result = runTranscript(kit.engine, {
      turns: [
        { user: '你好', expect: ['这句话不存在'] },
        { user: '不是', step: 'payment-kind' },
      ],
    });
    expect(result.ok).toBe(false);
    const report = formatTranscriptResult('demo', result);
    expect(report).toContain('FAIL demo');
    expect(report).toContain('>> ✗ expected the reply to contain 这句话不存在');
    expect(report).toContain('   (step: payment-kind)');
  });
});
