/**
 * How long each golden transcript's plan is, and how far into it the first thing to do comes
 * (issue "plans people can follow on a phone"): `npx tsx scripts/plan-metrics.ts`. The plan is
 * the turn that reaches an end step; the first instruction is its first numbered or bulleted line, or "最要紧" / "Most urgent".
 */
import { basename, resolve } from 'node:path';
import { listTranscripts, loadTranscript } from '../src/adapters/files/transcripts.js';
import { createRuntime, DEFAULT_FLOW_FILE, DEFAULT_LOCALES_DIR } from '../src/runtime.js';
import { silentLogger } from '../src/log.js';
import { createMemoryStore } from '../src/store/memory.js';
import { toBubbles } from '../src/core/replies.js';
import type { Session } from '../src/core/session.js';

const runtime = await createRuntime({
  flowFile: DEFAULT_FLOW_FILE,
  localesDir: DEFAULT_LOCALES_DIR,
  dataDir: '/tmp',
  log: silentLogger,
  store: createMemoryStore(),
});
const rows: Array<[string, number, number]> = [];
for (const file of await listTranscripts(resolve(import.meta.dirname, '../test/transcripts'))) {
  const t = await loadTranscript(file);
  const now = new Date(t.now ?? '2026-11-28T04:00:00.000Z');
  let session: Session | undefined;
  for (const turn of t.turns) {
    const out = runtime.engine.handle(session, { userId: 't', text: turn.user, lang: t.lang }, now);
    session = out.session ?? undefined;
    if (session && runtime.flow.step(session.stepId)?.type === 'end') {
      const plan = toBubbles(out.replies).join('\n\n');
      const first = plan.search(/(^|\n)(1\. |• |最要紧|Most urgent)/u);
      rows.push([basename(file), plan.length, first < 0 ? -1 : first]);
      break;
    }
  }
}
for (const [name, length, first] of rows) console.log(`${name}\t${length}\t${first}`);
const firsts = rows.map((r) => r[2]).filter((n) => n >= 0);
console.log(
  `plans ${rows.length}: length ${Math.min(...rows.map((r) => r[1]))}–${Math.max(...rows.map((r) => r[1]))}, first instruction at ${Math.min(...firsts)}–${Math.max(...firsts)} characters`,
);
await runtime.close();
