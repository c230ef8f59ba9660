import { viaGuard, type VenueRpcHandler } from './venue-rpc-handler.js';

export const fetchBalance: VenueRpcHandler<'fetch-balance'> = (session) =>
  viaGuard(session, () => session.adapter.fetchBalance());
