import { viaGuard, type VenueRpcHandler } from './venue-rpc-handler.js';

export const fetchDeposits: VenueRpcHandler<'fetch-deposits'> = async (session, request) => {
  const deposits = await viaGuard(session, () =>
    session.adapter.fetchDeposits({
      ...(request.currency !== undefined ? { currency: request.currency } : {}),
      ...(request.since !== undefined ? { since: request.since } : {}),
    }),
  );
  return { deposits };
};
