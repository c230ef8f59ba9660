import { z } from 'zod';
import { LIFECYCLE_LEVELS, LIFECYCLE_STATES } from '../lifecycle-states.js';

const micros = z.number().int().nonnegative();
const name = z.string().min(1).max(120);
const lifecycleState = z.enum(LIFECYCLE_STATES);

/** `tm.sys.beacon.<service>.<instance>`, every 10 s: "this process is alive". Core NATS. */
export const BeaconV1 = z.object({
  v: z.literal(1),
  service: name,
  instance: name,
  state: lifecycleState,
  tsInit: micros,
  startedAt: micros,
  pid: z.number().int().positive(),
  host: z.string(),
  httpPort: z.number().int().min(0).max(65535).optional(),
});
export type BeaconV1 = z.infer<typeof BeaconV1>;

/** `tm.sys.snapshot.<service>.<instance>`, every 60 s: the heartbeat tick. JetStream (stream SYS). */
export const SnapshotV1 = z.object({
  v: z.literal(1),
  service: name,
  instance: name,
  state: lifecycleState,
  tsInit: micros,
  cpuPercent: z.number().nonnegative(),
  memory: z.object({
    rssBytes: z.number().int().nonnegative(),
    heapUsedBytes: z.number().int().nonnegative(),
    heapTotalBytes: z.number().int().nonnegative(),
  }),
  eventLoopLagMs: z.object({ p50: z.number().nonnegative(), p99: z.number().nonnegative() }),
  /** The service's own gauges (ticks/s, queue depths, breaker states as numbers). */
  gauges: z.record(z.string(), z.number()),
});
export type SnapshotV1 = z.infer<typeof SnapshotV1>;

/** `tm.sys.lifecycle.<service>.<instance>`: one state change of the application or of one of its features. JetStream (stream SYS). */
export const LifecycleTransitionV1 = z.object({
  v: z.literal(1),
  eventId: z.string().min(1),
  service: name,
  instance: name,
  level: z.enum(LIFECYCLE_LEVELS),
  /** The application itself (`<service>/<instance>`) or one of its features (`<service>/<instance>/<feature>`). */
  path: z.string().min(1),
  from: lifecycleState,
  to: lifecycleState,
  reason: z.string().optional(),
  /** Position of this transition in the instance's sequence, from 1: gaps and duplicates are visible. */
  seq: z.number().int().positive(),
  tsInit: micros,
});
export type LifecycleTransitionV1 = z.infer<typeof LifecycleTransitionV1>;

export const CONTROL_ACTIONS = ['pause', 'resume', 'stop', 'reconfigure', 'park'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** `tm.sys.ctl.<service>[.<instance>]`: an operator's command, request/reply. */
export const ControlCommandV1 = z.object({
  v: z.literal(1),
  action: z.enum(CONTROL_ACTIONS),
  /** Who asked, for the audit of operator actions. */
  requestedBy: z.string().min(1).max(200).optional(),
  reason: z.string().max(500).optional(),
});
export type ControlCommandV1 = z.infer<typeof ControlCommandV1>;

export const FeatureStatusV1 = z.object({
  name,
  state: lifecycleState,
  since: micros,
  reason: z.string().optional(),
});
export type FeatureStatusV1 = z.infer<typeof FeatureStatusV1>;

/** `tm.sys.status`: asks every instance for its status (scatter-gather). */
export const StatusQueryV1 = z.object({ v: z.literal(1) });
export type StatusQueryV1 = z.infer<typeof StatusQueryV1>;

/** Reply to `tm.sys.status` and to control commands: where one instance stands now. */
export const InstanceStatusV1 = z.object({
  v: z.literal(1),
  service: name,
  instance: name,
  state: lifecycleState,
  since: micros,
  reason: z.string().optional(),
  startedAt: micros,
  tsInit: micros,
  pid: z.number().int().positive(),
  host: z.string(),
  httpPort: z.number().int().min(0).max(65535).optional(),
  features: z.array(FeatureStatusV1),
  dependencies: z.record(z.string(), z.object({ up: z.boolean(), detail: z.string().optional() })),
});
export type InstanceStatusV1 = z.infer<typeof InstanceStatusV1>;

/** `tm.dlq.<service>`: a message a service could not accept, kept with the reason. JetStream (stream DLQ). */
export const DeadLetterV1 = z.object({
  v: z.literal(1),
  service: name,
  instance: name,
  subject: z.string(),
  reason: z.string(),
  /** The original payload, base64, exactly as received. */
  payloadBase64: z.string(),
  headers: z.record(z.string(), z.array(z.string())).optional(),
  tsInit: micros,
});
export type DeadLetterV1 = z.infer<typeof DeadLetterV1>;
