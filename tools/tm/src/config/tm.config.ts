import { env, platformConfigSpec } from '@tm/config';

/** `tm` reaches the fleet over NATS, like every service: same URL and subject root variables. */
export const tmConfigSpec = {
  natsServers: platformConfigSpec.natsServers,
  subjectRoot: platformConfigSpec.subjectRoot,
  natsPingIntervalMs: platformConfigSpec.natsPingIntervalMs,
  natsMaxPingOut: platformConfigSpec.natsMaxPingOut,
  natsReconnectWaitMs: platformConfigSpec.natsReconnectWaitMs,
  natsReconnectJitterMs: platformConfigSpec.natsReconnectJitterMs,
  /** How long `tm` collects answers from the instances of the fleet. */
  gatherWindowMs: env.durationMs('TM_CLI_GATHER_WINDOW', { default: 750, min: 50, max: 30_000 }),
  connectTimeoutMs: env.durationMs('TM_CLI_CONNECT_TIMEOUT', { default: 3_000, min: 100, max: 60_000 }),
};
