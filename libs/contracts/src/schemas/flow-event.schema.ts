import { z } from 'zod';

// A flow's durable events on `tm.flow.event.<slot of acct:<account>>` (JetStream stream FLOW, message
// id = eventId): the audit trail the persister keeps. Live progress for screens goes on flowProgress.
const micros = z.number().int().nonnegative();
const id = z.string().min(1).max(200);

export const FLOW_VERBS = [
  'buy',
  'sell',
  'cancel-orders',
  'convert',
  'transfer',
  'deposit-address',
  'reprice',
] as const;
export const FLOW_EVENT_TYPES = [
  'FlowStarted',
  /** A pre-trade check refused the flow before anything reached a venue. */
  'FlowRefused',
  /** An attempt of a step began (one per attempt, retries included). */
  'StepStarted',
  'StepSucceeded',
  /** An attempt failed; `detail.willRetry` says whether another follows. */
  'StepFailed',
  /** Someone asked to cancel; the flow stops scheduling and cancels its working orders. */
  'FlowCancelRequested',
  /** An instance took the flow over (after a restart or a slot move) and resumes it from its last committed step. */
  'FlowResumed',
  'FlowSucceeded',
  'FlowFailed',
  'FlowCanceled',
] as const;
export type FlowEventType = (typeof FLOW_EVENT_TYPES)[number];

export const FlowEventV1 = z.object({
  v: z.literal(1),
  eventId: id,
  flowId: id,
  verb: z.enum(FLOW_VERBS),
  /** The account the flow acts for: its slot keys the subject. */
  account: id,
  type: z.enum(FLOW_EVENT_TYPES),
  /** The step's name for step events, null for the flow's own. */
  step: z.string().min(1).nullable(),
  attempt: z.number().int().positive().nullable(),
  /** What the step or flow reported (amounts as decimal strings). */
  detail: z.record(z.string(), z.unknown()),
  tsEvent: micros,
  tsInit: micros,
});
export type FlowEventV1 = z.infer<typeof FlowEventV1>;
