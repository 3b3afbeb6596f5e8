import { beforeAll, inject } from 'vitest';
import { typedAnswer } from '../src/authoring/replay.js';
import { repliesText } from '../src/core/replies.js';
import type { Session } from '../src/core/session.js';
import type { FlowPath } from '../src/flow/paths.js';
import type { Lang } from '../src/shared/types.js';
import { loadKit, type Kit } from './helpers.js';

const SCREEN = ['urgent-check', 'screen-offer', 'screen-promise'];

/**
 * A session waiting at `stepId`, reached on an honest path of the covering paths (every
 * screen answer "no", no scam chosen), each answer typed as a user would: where a test puts
 * a message at a step, it is said in the context a real conversation gives it.
 */
export function sessionAt(
  kit: Kit,
  paths: FlowPath[],
  stepId: string,
  lang: Lang,
  now: Date,
): Session {
  const path = paths.find(
    (p) =>
      p.steps.includes(stepId) &&
      p.answers.every(
        (a) =>
          !(SCREEN.includes(a.stepId) && a.value !== false) &&
          !(a.stepId === 'what-happened' && a.value === 'scam'),
      ),
  );
  if (!path) throw new Error(`no path reaches ${stepId}`);
  let session = kit.engine.handle(
    undefined,
    { userId: 'u', text: lang === 'en' ? 'hi' : '你好', lang },
    now,
  ).session;
  for (const answer of path.answers) {
    if (session?.stepId === stepId) break;
    const text = typedAnswer(kit.flow, kit.translators, lang, answer.stepId, answer.value);
    session = kit.engine.handle(session ?? undefined, { userId: 'u', text, lang }, now).session;
  }
  if (session?.stepId !== stepId) throw new Error(`did not reach ${stepId}`);
  return session;
}

/**
 * For a test file that says messages at steps: loads the kit and the covering paths once
 * (beforeAll), then `sayAt` puts a message at a step reached as above and `say` goes on from
 * a session, both with the engine's replies as one text.
 */
export function walker(now: Date) {
  let kit: Kit;
  let paths: FlowPath[];
  beforeAll(async () => {
    kit = await loadKit();
    paths = inject('coveringPaths');
  });
  const say = (session: Session | undefined, text: string, lang?: Lang) => {
    const out = kit.engine.handle(session, { userId: 'u', text, lang }, now);
    return { session: out.session ?? undefined, reply: repliesText(out.replies) };
  };
  return {
    get kit() {
      return kit;
    },
    say,
    sayAt(stepId: string, lang: Lang, text: string) {
      const before = sessionAt(kit, paths, stepId, lang, now);
      return { before, ...say(before, text, lang) };
    },
  };
}
