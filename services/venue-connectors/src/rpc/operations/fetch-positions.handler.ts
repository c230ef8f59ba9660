import { viaGuard, type VenueRpcHandler } from './venue-rpc-handler.js';

export const fetchPositions: VenueRpcHandler<'fetch-positions'> = async (session) => {
  const positions = await viaGuard(session, () => session.adapter.fetchPositions({}));
  return { positions: positions.map(({ tsEvent: _ts, ...position }) => position) };
};
