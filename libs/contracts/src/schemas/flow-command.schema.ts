import { z } from 'zod';
import { FLOW_EVENT_TYPES, FLOW_VERBS } from './flow-event.schema.js';

// Commands to the flow engine on `tm.flow.cmd.<slot of acct:<account>>` (request/reply): one API for people
// (gateway REST and socket.io), FIX clients and AI agents. Every reply is `replyEnvelope(FlowStateV1)`.
const micros = z.number().int().nonnegative();
const id = z.string().min(1).max(200);
const account = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');
const flowId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a flow id');

/** Who asked: kept on every audit row of the flow. */
export const FlowRequesterV1 = z.object({
  kind: z.enum(['user', 'api-key', 'fix-session', 'agent', 'system']),
  /** The user id, API key id, FIX session id (`SENDER->TARGET`) or agent name. */
  id,
});
export type FlowRequesterV1 = z.infer<typeof FlowRequesterV1>;

const trace = {
  /** Ties together everything done for one business request across services; defaults to the flow id. */
  correlationId: id.optional(),
  /** The message that caused this command (a FIX ClOrdID, a socket.io request id). */
  causationId: id.optional(),
};

export const FlowStartCommandV1 = z.object({
  v: z.literal(1),
  type: z.literal('start'),
  /** Kept forever with a fingerprint of (account, verb, input): the same key returns the same flow. */
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_.:=-]{8,128}$/, 'must be 8–128 letters, digits or _.:=-'),
  account,
  verb: z.enum(FLOW_VERBS),
  /** Validated against the verb's schema (FLOW_VERB_INPUTS). */
  input: z.record(z.string(), z.unknown()),
  requester: FlowRequesterV1,
  ...trace,
});
export type FlowStartCommandV1 = z.infer<typeof FlowStartCommandV1>;

export const FlowCancelCommandV1 = z.object({
  v: z.literal(1),
  type: z.literal('cancel'),
  account,
  flowId,
  requester: FlowRequesterV1,
  reason: z.string().max(500).optional(),
  ...trace,
});
export type FlowCancelCommandV1 = z.infer<typeof FlowCancelCommandV1>;

export const FlowGetCommandV1 = z.object({ v: z.literal(1), type: z.literal('get'), account, flowId });
export type FlowGetCommandV1 = z.infer<typeof FlowGetCommandV1>;

export const FlowCommandV1 = z.discriminatedUnion('type', [
  FlowStartCommandV1,
  FlowCancelCommandV1,
  FlowGetCommandV1,
]);
export type FlowCommandV1 = z.infer<typeof FlowCommandV1>;

export const FLOW_STATUSES = ['running', 'canceling', 'succeeded', 'failed', 'canceled', 'refused'] as const;
export type FlowStatusV1 = (typeof FLOW_STATUSES)[number];
export const FINISHED_FLOW_STATUSES: readonly FlowStatusV1[] = ['succeeded', 'failed', 'canceled', 'refused'];

/** Why a pre-trade check refused a flow before anything reached a venue. */
export const PRE_TRADE_REASONS = [
  'MAX_NOTIONAL_EXCEEDED',
  'INSUFFICIENT_BALANCE',
  'PRICE_OUTSIDE_BAND',
  'INSTRUMENT_NOT_TRADABLE',
  'NO_REFERENCE_PRICE',
  'BELOW_MINIMUM',
  /** A price off the tick grid or an amount off the lot grid. */
  'OFF_GRID',
  'NO_ROUTE',
  'DESTINATION_NOT_WHITELISTED',
] as const;
export type PreTradeReason = (typeof PRE_TRADE_REASONS)[number];

export const FlowErrorV1 = z.object({
  /**
   * PRE_TRADE_REFUSED (with `reason`); a venue error code; the engine's own (VENUE_UNREACHABLE,
   * MARKET_UNAVAILABLE, NO_MARKET_DATA, MAKER_REPOST_LIMIT, TRANSFER_UNCONFIRMED, a verb's like LEG_NOT_FILLED);
   * CANCELED; or INTERNAL.
   */
  code: z.string().min(1),
  reason: z.enum(PRE_TRADE_REASONS).optional(),
  message: z.string(),
  /** The step that failed, when one did. */
  step: z.string().nullable(),
});
export type FlowErrorV1 = z.infer<typeof FlowErrorV1>;

export const FlowStepStateV1 = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  attempts: z.number().int().nonnegative(),
  result: z.unknown().optional(),
});

/** A flow as the engine holds it: the reply to every command. */
export const FlowStateV1 = z.object({
  flowId,
  verb: z.enum(FLOW_VERBS),
  account,
  status: z.enum(FLOW_STATUSES),
  input: z.record(z.string(), z.unknown()),
  idempotencyKey: z.string(),
  requester: FlowRequesterV1,
  correlationId: id,
  /** True when this reply found the flow an earlier request with the same key had started. */
  replayed: z.boolean(),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: FlowErrorV1.nullable(),
  steps: z.array(FlowStepStateV1),
  createdAt: micros,
  updatedAt: micros,
});
export type FlowStateV1 = z.infer<typeof FlowStateV1>;

/** Live progress on core NATS `tm.flow.progress.<slot>`: one per audit row, for screens and FIX clients. */
export const FlowProgressV1 = z.object({
  v: z.literal(1),
  flowId,
  verb: z.enum(FLOW_VERBS),
  account,
  status: z.enum(FLOW_STATUSES),
  type: z.enum(FLOW_EVENT_TYPES),
  step: z.string().nullable(),
  attempt: z.number().int().positive().nullable(),
  detail: z.record(z.string(), z.unknown()),
  correlationId: id,
  tsInit: micros,
});
export type FlowProgressV1 = z.infer<typeof FlowProgressV1>;
