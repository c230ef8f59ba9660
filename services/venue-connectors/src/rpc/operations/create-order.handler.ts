import { orderStateOf } from '../../orders/venue-order.record.js';
import type { VenueRpcHandler } from './venue-rpc-handler.js';

export const createOrder: VenueRpcHandler<'create-order'> = async (session, request) =>
  orderStateOf(await session.desk.create(request));
