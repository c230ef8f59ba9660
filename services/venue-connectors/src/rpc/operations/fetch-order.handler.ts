import type { VenueRpcHandler } from './venue-rpc-handler.js';

/** The venue's current state of an order the platform knows, applied to the platform's picture first. */
export const fetchOrder: VenueRpcHandler<'fetch-order'> = (session, request) => session.desk.fetch(request);
