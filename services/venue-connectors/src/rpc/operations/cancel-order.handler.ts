import { orderStateOf } from '../../orders/venue-order.record.js';
import type { VenueRpcHandler } from './venue-rpc-handler.js';

export const cancelOrder: VenueRpcHandler<'cancel-order'> = async (session, request) =>
  orderStateOf(await session.desk.cancel(request));
