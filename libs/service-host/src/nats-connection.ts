import type { ConfigOf } from '@tm/config';
import { NatsLink } from '@tm/messaging';
import type { Logger } from '@tm/telemetry';
import type { HostedConfigSpec } from './service-definition.js';

type NatsSettings = Pick<
  ConfigOf<HostedConfigSpec>,
  'natsServers' | 'natsPingIntervalMs' | 'natsMaxPingOut' | 'natsReconnectWaitMs' | 'natsReconnectJitterMs'
>;

/**
 * A NATS connection on the platform's settings, named `name` on the server. The host opens the service's
 * own; a service opens more where a busy feed must not hold up control traffic (membership renewals).
 */
export function connectNats(config: NatsSettings, name: string, logger: Logger): Promise<NatsLink> {
  return NatsLink.connect({
    servers: config.natsServers,
    name,
    pingIntervalMs: config.natsPingIntervalMs,
    maxPingOut: config.natsMaxPingOut,
    reconnectWaitMs: config.natsReconnectWaitMs,
    reconnectJitterMs: config.natsReconnectJitterMs,
    logger,
  });
}
