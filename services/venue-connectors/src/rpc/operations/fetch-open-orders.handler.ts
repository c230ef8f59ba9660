import { orderStateOfVenue } from '../../orders/venue-order.record.js';
import { viaGuard, type VenueRpcHandler } from './venue-rpc-handler.js';

export const fetchOpenOrders: VenueRpcHandler<'fetch-open-orders'> = async (session, request) => {
  const orders = await viaGuard(session, () =>
    session.adapter.fetchOpenOrders(request.instrument ? { instrument: request.instrument } : {}),
  );
  return { orders: orders.map(orderStateOfVenue) };
};
