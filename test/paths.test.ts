import { beforeAll, inject, describe, expect, it } from 'vitest';
import { replayPath } from '../src/authoring/replay.js';
import { reachableSteps, stepsWithoutWayToEnd } from '../src/flow/graph.js';
import type { FlowPath } from '../src/flow/paths.js';
import { LANGS } from '../src/shared/types.js';
import { loadKit, type Kit } from './helpers.js';

const NOW = new Date('2026-11-28T04:00:00Z');
let kit: Kit;
let paths: FlowPath[];
beforeAll(async () => {
  kit = await loadKit();
  // Every sequence of steps and every answer at every step, not every combination of them
  // (built once per run in global-setup.ts; the safety test walks every path).
  paths = inject('coveringPaths');
});

describe('every path of the recovery flow', () => {
  it('reaches every step, and every end step, from the start', () => {
    const all = Object.keys(kit.flow.definition.steps);
    expect([...reachableSteps(kit.flow.definition)].sort()).toEqual([...all].sort());
    const ends = all.filter((id) => kit.flow.step(id)?.type === 'end');
    const seen = new Set<string>();
    const visited = new Set<string>();
    for (const p of paths) {
      seen.add(p.end);
      for (const s of p.steps) visited.add(s);
    }
    expect([...seen].sort()).toEqual(ends.sort());
    expect(all.filter((id) => !visited.has(id))).toEqual([]);
  });

  it('has no step from which the conversation cannot end', () => {
    expect(stepsWithoutWayToEnd(kit.flow.definition)).toEqual([]);
  });

  it.each(LANGS)(
    'replays every path in %s with every reply rendered and short enough',
    (lang) => {
      expect(inject('pathCount')).toBeGreaterThan(paths.length);
      expect(paths.length).toBeGreaterThan(50);
      const problems = paths.flatMap((path) =>
        replayPath(kit.engine, kit.flow, kit.translators, path, lang, NOW),
      );
      expect(problems.slice(0, 5)).toEqual([]);
      // Two thousand conversations through the real engine.
    },
    240_000,
  );

  it('the replay notices an unrendered placeholder', () => {
    const broken = (lang: Parameters<typeof kit.translators>[0]) => {
      const t = kit.translators(lang);
      return Object.assign(
        (key: string, vars?: Record<string, unknown>) =>
          key.endsWith('ask-amount.prompt') ? 'How much {{oops}}?' : t(key, vars),
        { exists: t.exists },
      );
    };
    const path = paths.find((p) => p.steps.includes('ask-amount'));
    if (!path) throw new Error('no path through ask-amount');
    return import('../src/core/engine.js').then(({ createEngine }) => {
      const engine = createEngine(kit.flow, broken);
      const problems = replayPath(engine, kit.flow, broken, path, 'en', NOW);
      expect(problems[0]?.problem).toMatch(/unrendered text/);
    });
  });
});
