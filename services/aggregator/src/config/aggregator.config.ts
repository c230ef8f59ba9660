import { hostedConfigSpec } from '@tm/service-host';

/** aggregator's configuration: the platform's fields; its HTTP endpoints default to port 7401. */
export const aggregatorConfigSpec = hostedConfigSpec(7401);
