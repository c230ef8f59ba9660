// What the gateways push for an event topic (ADR 0006): each event of a topic once, numbered by the
// slot's owner, in stream PUSH on `tm.push.<stream>.<slot>.<source>.<key>`.
import { z } from 'zod';

export const PushEventV1 = z.object({
  v: z.literal(1),
  /** `<stream>/<source>/<key>`, as a client watches it. */
  topic: z.string().min(5),
  /** The topic's previous event's + 1, from 1; the same on every gateway. */
  seq: z.number().int().positive(),
  /** When it was numbered, microseconds since the epoch. */
  at: z.number().int().nonnegative(),
  /** What the client gets, as the producer shaped it. */
  value: z.unknown(),
});
export type PushEventV1 = z.infer<typeof PushEventV1>;
