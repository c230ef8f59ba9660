import { Module } from '@nestjs/common';

/** venue-connectors: venue sessions (ccxt and the paper venue), rate limits, reconnect and reconciliation. The host gives it lifecycle, control, health and connections; its features land with issue 3. */
@Module({})
export class VenueConnectorsModule {}
