import { Module } from '@nestjs/common';
import { VenueSessionsService } from './sessions/venue-sessions.service.js';

/** venue-connectors: venue sessions (ccxt and the paper venue), rate limits, reconnect, reconciliation, venue RPC. */
@Module({ providers: [VenueSessionsService] })
export class VenueConnectorsModule {}
