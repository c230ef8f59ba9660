import { viaGuard, type VenueRpcHandler } from './venue-rpc-handler.js';

export const fetchDepositAddress: VenueRpcHandler<'fetch-deposit-address'> = (session, request) =>
  viaGuard(session, () =>
    session.adapter.fetchDepositAddress({
      currency: request.currency,
      ...(request.network !== undefined ? { network: request.network } : {}),
    }),
  );
