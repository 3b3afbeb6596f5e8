import { beforeAll, describe, expect, inject, it } from 'vitest';
import { repliesText } from '../src/core/replies.js';
import type { FlowPath } from '../src/flow/paths.js';
import { loadKit, type Kit } from './helpers.js';
import { sessionAt } from './walk.js';

/**
 * Never a silent guess (issue 21, deliverable 2; fresh review, finding 4): an answer the
 * classifier read — not the rules — is taken and said back with what it was taken as, and
 * "back" undoes it. An answer the rules read is not, so plain answers cost no extra line.
 */
const NOW = new Date('2026-12-02T04:00:00Z');
let kit: Kit;
let paths: FlowPath[];
beforeAll(async () => {
  kit = await loadKit();
  paths = inject('coveringPaths');
});

describe('an answer read by meaning is read back', () => {
  it('「扫码的时候手一抖 付给了别人」 at "what happened": taken, said back, undone by 返回', () => {
    const before = sessionAt(kit, paths, 'what-happened', 'zh-CN', NOW);
    const text = '扫码的时候手一抖 付给了别人';
    const read = kit.engine.handle(before, { userId: 'u', text, lang: 'zh-CN' }, NOW);
    expect(read.session?.facts.situation).toBe('wrong-recipient');
    expect(repliesText(read.replies)).toContain('我理解为：发生了什么：付错人了');
    const back = kit.engine.handle(read.session ?? undefined, { userId: 'u', text: '返回' }, NOW);
    expect(back.session?.stepId).toBe('what-happened');
    expect(back.session?.facts.situation).toBeUndefined();
  });

  it('「以前可以」 (it used to be) is never taken as "I can reach them now"', () => {
    const before = sessionAt(kit, paths, 'ask-can-reach', 'zh-CN', NOW);
    const read = kit.engine.handle(before, { userId: 'u', text: '以前可以', lang: 'zh-CN' }, NOW);
    expect(read.session?.facts.canReach).toBeUndefined();
    expect(read.session?.stepId).toBe('ask-can-reach');
  });

  it('a plain answer the rules read is not said back', () => {
    const before = sessionAt(kit, paths, 'what-happened', 'zh-CN', NOW);
    const read = kit.engine.handle(before, { userId: 'u', text: '付错人了', lang: 'zh-CN' }, NOW);
    expect(read.session?.facts.situation).toBe('wrong-recipient');
    expect(repliesText(read.replies)).not.toContain('我理解为');
  });
});
