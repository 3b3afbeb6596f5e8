import type { Session } from '../core/session.js';
import type { CompiledFlow } from '../flow/compile.js';
import { UnavailableError } from '../shared/errors.js';
import { createRegistry, type Registry } from './registry.js';

/** The channels a message can come from; anything else is counted as "other". */
const CHANNELS = ['console', 'wechat', 'oa'] as const;
/** Seconds per message, from arrival to replies ready (WeChat's passive limit is 5 s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface AssistantMetrics {
  registry: Registry;
  /** One message handled: its channel, how many replies, how long it took. */
  message(channel: string | undefined, replies: number, seconds: number): void;
  /** A session moved from `before` to `after` (the service's compare-and-set succeeded). */
  transition(before: Session | undefined, after: Session): void;
  /** An unexpected error (or the store unavailable) while handling a message. */
  error(error: unknown): void;
  /** A channel's own error (Wechaty's, the webhook's), counted per channel. */
  channelError(channel: string): void;
  /** A webhook request refused for its signature. */
  signatureFailed(): void;
}

/**
 * What an operator needs to see the service working: counts per channel, plans reached per
 * end (the flow's own end ids), scam plans, unclear answers, errors, Redis gone, latency.
 * Handoffs count requests that reached the operators (a session entering `waiting`, which
 * happens only after the user consented to share).
 */
export function createAssistantMetrics(flows: readonly CompiledFlow[]): AssistantMetrics {
  const registry = createRegistry();
  const perChannel = CHANNELS.map((channel) => ({ channel }));
  const messagesIn = registry.counter(
    'zhuihui_messages_in_total',
    'Messages received, per channel.',
    perChannel,
  );
  const messagesOut = registry.counter(
    'zhuihui_messages_out_total',
    'Replies produced (before a channel packs them into its own messages), per channel.',
    perChannel,
  );
  const ends = flows.flatMap((f) =>
    Object.entries(f.definition.steps)
      .filter(([, step]) => step.type === 'end')
      .map(([end]) => ({ flow: f.definition.id, end })),
  );
  const plans = registry.counter(
    'zhuihui_plans_total',
    'Conversations that reached an end step (a plan), per flow and end.',
    ends,
  );
  const scamPlans = registry.counter(
    'zhuihui_scam_plans_total',
    "Conversations that reached their flow's escalation (scam) plan.",
  );
  const handoffs = registry.counter(
    'zhuihui_handoffs_total',
    'Requests for a person that reached the operators (the user consented to share).',
  );
  const unclear = registry.counter(
    'zhuihui_unclear_answers_total',
    'Answers the assistant could not understand and asked again.',
  );
  const errors = registry.counter(
    'zhuihui_errors_total',
    'Messages that failed unexpectedly (the user was asked to send again).',
  );
  const unavailable = registry.counter(
    'zhuihui_store_unavailable_total',
    'Messages not handled because the store (Redis) was unavailable.',
  );
  const channelErrors = registry.counter(
    'zhuihui_channel_errors_total',
    "A channel's own errors (Wechaty's error events, failed webhook requests), per channel.",
    [{ channel: 'wechat' }, { channel: 'oa' }],
  );
  const signatures = registry.counter(
    'zhuihui_webhook_signature_failures_total',
    'Webhook requests refused because their signature did not match WECHAT_OA_TOKEN.',
  );
  const latency = registry.histogram(
    'zhuihui_message_seconds',
    'Time from a message to its replies being ready.',
    LATENCY_BUCKETS,
  );
  const byId = new Map(flows.map((f) => [f.definition.id, f]));
  const channelOf = (channel: string | undefined) =>
    (CHANNELS as readonly string[]).includes(channel ?? 'console')
      ? (channel ?? 'console')
      : 'other';
  const failures = (s: Session | undefined) =>
    Object.values(s?.failuresByStep ?? {}).reduce((a, b) => a + b, 0);

  return {
    registry,
    message(channel, replies, seconds) {
      const labels = { channel: channelOf(channel) };
      messagesIn.inc(labels);
      messagesOut.inc(labels, replies);
      latency.observe(seconds);
    },
    transition(before, after) {
      const more = failures(after) - failures(before);
      if (more > 0) unclear.inc({}, more);
      if (after.handoff?.state === 'waiting' && before?.handoff?.state !== 'waiting')
        handoffs.inc();
      const flow = byId.get(after.flowId);
      const arrived = before?.stepId !== after.stepId || before.flowId !== after.flowId;
      if (!flow || !arrived || flow.step(after.stepId)?.type !== 'end') return;
      plans.inc({ flow: after.flowId, end: after.stepId });
      if (after.stepId === flow.definition.escalate?.end) scamPlans.inc();
    },
    error(error) {
      if (error instanceof UnavailableError) unavailable.inc();
      else errors.inc();
    },
    channelError: (channel) => channelErrors.inc({ channel }),
    signatureFailed: () => signatures.inc(),
  };
}
