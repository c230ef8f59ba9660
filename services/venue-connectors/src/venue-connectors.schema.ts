/** The PostgreSQL schema venue-connectors owns. */
export const VENUE_CONNECTORS_SCHEMA = 'venue_connectors';
