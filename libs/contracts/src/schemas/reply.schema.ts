import { z } from 'zod';
import { VENUE_ERROR_CODES } from './venue-error.schema.js';

/** Error codes a request/reply handler answers with; never a stack trace. */
export const REPLY_ERROR_CODES = [
  'INVALID_PAYLOAD',
  'ILLEGAL_TRANSITION',
  'UNSUPPORTED',
  'NOT_FOUND',
  'UNAVAILABLE',
  'INTERNAL',
  /** The same idempotency key came with a different request. */
  'IDEMPOTENCY_CONFLICT',
  /** The flow is finished (or finishing) and cannot take this command. */
  'FLOW_FINISHED',
  // A venue RPC's failure carries the venue code itself, so a caller switches on one field.
  ...VENUE_ERROR_CODES,
] as const;
export type ReplyErrorCode = (typeof REPLY_ERROR_CODES)[number];

export const ReplyErrorV1 = z.object({
  code: z.enum(REPLY_ERROR_CODES),
  message: z.string(),
  /** Field-level details for INVALID_PAYLOAD: `path: problem`. */
  details: z.array(z.string()).optional(),
  /** RATE_LIMITED: how long the venue asked us to wait. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type ReplyErrorV1 = z.infer<typeof ReplyErrorV1>;

/** Every reply is either `{ v, ok: true, result }` or `{ v, ok: false, error }`. */
export function replyEnvelope<T extends z.ZodType>(result: T) {
  return z.discriminatedUnion('ok', [
    z.object({ v: z.literal(1), ok: z.literal(true), result }),
    z.object({ v: z.literal(1), ok: z.literal(false), error: ReplyErrorV1 }),
  ]);
}
export type ReplyEnvelope<T> = { v: 1; ok: true; result: T } | { v: 1; ok: false; error: ReplyErrorV1 };
