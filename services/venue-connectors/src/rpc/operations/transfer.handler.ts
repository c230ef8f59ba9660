import { viaGuard, type VenueRpcHandler } from './venue-rpc-handler.js';

export const transfer: VenueRpcHandler<'transfer'> = (session, request) =>
  viaGuard(session, () =>
    session.adapter.transfer({
      currency: request.currency,
      amount: request.amount,
      fromAccount: request.fromAccount,
      toAccount: request.toAccount,
    }),
  );
