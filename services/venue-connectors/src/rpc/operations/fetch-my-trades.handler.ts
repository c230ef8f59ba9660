import { viaGuard, type VenueRpcHandler } from './venue-rpc-handler.js';

export const fetchMyTrades: VenueRpcHandler<'fetch-my-trades'> = async (session, request) => {
  const fills = await viaGuard(session, () =>
    session.adapter.fetchMyTrades({
      instrument: request.instrument,
      ...(request.since !== undefined ? { since: request.since } : {}),
      ...(request.limit !== undefined ? { limit: request.limit } : {}),
    }),
  );
  return { fills };
};
