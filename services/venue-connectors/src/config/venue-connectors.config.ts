import { hostedConfigSpec } from '@tm/service-host';

/** venue-connectors's configuration: the platform's fields; its HTTP endpoints default to port 7405. */
export const venueConnectorsConfigSpec = hostedConfigSpec(7405);
