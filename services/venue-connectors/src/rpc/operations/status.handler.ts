import type { VenueRpcHandler } from './venue-rpc-handler.js';

export const status: VenueRpcHandler<'status'> = async (session) => session.status();
