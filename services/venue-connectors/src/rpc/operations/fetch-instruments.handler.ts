import { viaGuard, type VenueRpcHandler } from './venue-rpc-handler.js';

export const fetchInstruments: VenueRpcHandler<'fetch-instruments'> = async (session) => {
  const instruments = await viaGuard(session, () => session.adapter.fetchInstruments());
  return { instruments };
};
