import { hostedConfigSpec } from '@tm/service-host';

/** fix-server's configuration: the platform's fields; its HTTP endpoints default to port 7404. */
export const fixServerConfigSpec = hostedConfigSpec(7404);
