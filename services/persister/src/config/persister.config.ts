import { hostedConfigSpec } from '@tm/service-host';

/** persister's configuration: the platform's fields; its HTTP endpoints default to port 7402. */
export const persisterConfigSpec = hostedConfigSpec(7402);
