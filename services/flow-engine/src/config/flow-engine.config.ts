import { hostedConfigSpec } from '@tm/service-host';

/** flow-engine's configuration: the platform's fields; its HTTP endpoints default to port 7403. */
export const flowEngineConfigSpec = hostedConfigSpec(7403);
