import type { HandoffEvent } from '../../core/handoff.js';
import type { Reply } from '../../core/replies.js';
import type { Translator } from '../../i18n/index.js';
import type { Undelivered } from './desk.js';
import type { CaseChannel, OpenCase } from './open-cases.js';

const say = (text: string): Reply => ({ type: 'text', text });

/** Stands in for text typed by a person while the line around it is worded. */
const RAW = '\u{E000}';

/**
 * What the operators read (the room, the operator console), in the operators' language:
 * common:handoff.room.*. Names and words people typed are put in after wording, so i18next
 * never reads them.
 */
export function operatorWords(t: Translator) {
  const words = (key: string, vars: Record<string, unknown> = {}) =>
    t(`common:handoff.room.${key}`, vars);
  const named = (key: string, vars: Record<string, unknown>, name: string) =>
    // A function, so that `$` in a name stays as typed (not read as a replacement pattern).
    words(key, { ...vars, operator: RAW }).replace(RAW, () => name);
  return {
    words,
    named,
    /** A case's event as the operators are told it. */
    event(event: HandoffEvent): Reply[] {
      const ref = event.ref;
      switch (event.type) {
        case 'requested':
          return [say(words('new', { ref })), ...event.summary];
        case 'user-message': {
          const alarm = event.alarm ? [say(words('alarm', { ref, noticed: event.alarm }))] : [];
          const said = event.media
            ? words('media', { ref })
            : `${words('user', { ref })} ${event.text}`;
          return [...alarm, say(said)];
        }
        case 'taken':
          return [say(named('taken', { ref }, event.operator))];
        case 'ended':
          return [say(words(`ended.${event.reason}`, { ref }))];
      }
    },
    undelivered: (ref: string, why: Undelivered): Reply =>
      say(why === 'failed' ? words('notDelivered', { ref }) : words(`undelivered.${why}`, { ref })),
    unknown: (ref: string): Reply => say(words('unknown', { ref })),
    /** Queued for a channel no process has been sending for lately. */
    unsent: (ref: string, channel: CaseChannel): Reply => say(words(`unsent.${channel}`, { ref })),
    list(open: OpenCase[]): Reply {
      if (open.length === 0) return say(words('listEmpty'));
      const lines = open.map((c) =>
        words('listLine', {
          ref: c.ref,
          state: c.state === 'human' ? named('human', {}, c.operator ?? '') : words('waiting'),
          since: c.since.slice(0, 16).replace('T', ' '),
        }),
      );
      return say(words('list', { cases: lines.join('\n') }));
    },
  };
}
