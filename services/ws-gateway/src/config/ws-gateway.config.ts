import { hostedConfigSpec } from '@tm/service-host';

/** ws-gateway's configuration: the platform's fields; its HTTP endpoints default to port 7400. */
export const wsGatewayConfigSpec = hostedConfigSpec(7400);
