import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/core/engine.js';
import { startAt } from '../src/authoring/start-at.js';
import { structure, toBubbles, type Reply } from '../src/core/replies.js';
import type { Translators } from '../src/core/ports.js';
import { loadKit, type Kit } from './helpers.js';

let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});

const NOW = new Date('2026-11-28T04:00:00Z');

describe('replies as data', () => {
  it('fenced blocks become copyable texts; the rest stays paragraphs', () => {
    expect(structure('Send this:\n---\nHello\n\nthere\n---\nThen wait.', 'text')).toEqual([
      { type: 'text', text: 'Send this:' },
      { type: 'copy', text: 'Hello\n\nthere' },
      { type: 'text', text: 'Then wait.' },
    ]);
  });

  it('a copyable text is one bubble whatever its length; other text is packed to 600', () => {
    const long = '很长的一段话。'.repeat(200);
    const replies: Reply[] = [
      { type: 'plan', text: `${'甲'.repeat(400)}\n\n${'乙'.repeat(400)}` },
      { type: 'copy', text: `${long}\n\n${long}` },
      { type: 'question', text: '选哪个？', options: ['一', '二'] },
    ];
    const bubbles = toBubbles(replies);
    expect(bubbles).toHaveLength(4);
    expect(bubbles[2]).toBe(`${long}\n\n${long}`);
    expect(bubbles[3]).toBe('选哪个？\n1. 一\n2. 二');
    expect(bubbles.filter((b) => b !== bubbles[2]).every((b) => b.length <= 600)).toBe(true);
  });

  it("a recipient typed with '---' and blank lines never splits the police outline (red-team m11)", () => {
    const name = 'Alice\n\n---\n\nBob';
    const started = startAt(
      kit.engine,
      'u',
      'zh-CN',
      'end-scam',
      { paymentKind: 'reward-code', amount: '500', paidOn: '2026-11-20', recipient: name },
      NOW,
    );
    if ('error' in started) throw new Error(started.error);
    const copies = started.replies.filter((r) => r.type === 'copy');
    expect(copies).toHaveLength(2);
    const outline = copies[0]?.text ?? '';
    // The name arrives on one line (the text reader folds line breaks), inside one block.
    expect(outline).toContain('Alice --- Bob');
    expect(outline).toContain('紧急止付');
    expect(toBubbles(started.replies)).toContain(outline);
  });

  it('what a user typed never reaches the shared render caches (red-team m13)', () => {
    const seen: string[] = [];
    const spying: Translators = (lang) => {
      const t = kit.translators(lang);
      return Object.assign(
        (key: string, vars?: Record<string, unknown>) => {
          const text = t(key, vars);
          seen.push(text, JSON.stringify(vars ?? {}));
          return text;
        },
        { exists: t.exists },
      );
    };
    const engine = createEngine(kit.flow, spying);
    const secret = '王秘密名字';
    const started = startAt(
      engine,
      'u',
      'zh-CN',
      'end-scam',
      { paymentKind: 'reward-code', amount: '500', paidOn: '2026-11-20', recipient: secret },
      NOW,
    );
    if ('error' in started) throw new Error(started.error);
    const summary = engine.handle(started.session ?? undefined, { userId: 'u', text: '摘要' }, NOW);
    const shown = JSON.stringify([started.replies, summary.replies]);
    expect(shown).toContain(secret);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.filter((s) => s.includes(secret))).toEqual([]);
  });
});
