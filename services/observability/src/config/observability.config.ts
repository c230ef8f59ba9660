import { hostedConfigSpec } from '@tm/service-host';

/** observability's configuration: the platform's fields; its HTTP endpoints default to port 7406. */
export const observabilityConfigSpec = hostedConfigSpec(7406);
