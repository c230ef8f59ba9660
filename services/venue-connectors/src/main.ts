import { runService } from '@tm/service-host';
import { venueConnectorsConfigSpec } from './config/venue-connectors.config.js';
import { VenueConnectorsModule } from './venue-connectors.module.js';

await runService({
  name: 'venue-connectors',
  configSpec: venueConnectorsConfigSpec,
  schema: 'venue_connectors',
  migrations: [],
  module: VenueConnectorsModule,
});
