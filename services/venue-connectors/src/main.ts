import { runService } from '@tm/service-host';
import { venueConnectorsConfigSpec } from './config/venue-connectors.config.js';
import { venueOrdersMigration } from './migrations/0001-venue-orders.migration.js';
import { recordVenueFillMigration } from './migrations/0002-record-venue-fill.migration.js';
import { VenueConnectorsModule } from './venue-connectors.module.js';
import { VENUE_CONNECTORS_SCHEMA } from './venue-connectors.schema.js';

await runService({
  name: 'venue-connectors',
  configSpec: venueConnectorsConfigSpec,
  schema: VENUE_CONNECTORS_SCHEMA,
  migrations: [venueOrdersMigration, recordVenueFillMigration],
  module: VenueConnectorsModule,
});
