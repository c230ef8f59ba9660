import { MessagingError } from '@tm/messaging';
import { viaGuard, type VenueRpcHandler } from './venue-rpc-handler.js';

/** Paper venues only: a real venue's adapter has no simulateDeposit, so the answer is UNSUPPORTED. */
export const simulateDeposit: VenueRpcHandler<'simulate-deposit'> = async (session, request) => {
  const simulate = session.adapter.simulateDeposit?.bind(session.adapter);
  if (simulate === undefined)
    throw new MessagingError('UNSUPPORTED', `${session.venue} cannot simulate deposits`);
  return viaGuard(session, () =>
    simulate({
      currency: request.currency,
      amount: request.amount,
      ...(request.address !== undefined ? { address: request.address } : {}),
      ...(request.network !== undefined ? { network: request.network } : {}),
    }),
  );
};
