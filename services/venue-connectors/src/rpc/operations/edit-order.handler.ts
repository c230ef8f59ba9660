import { orderStateOf } from '../../orders/venue-order.record.js';
import type { VenueRpcHandler } from './venue-rpc-handler.js';

export const editOrder: VenueRpcHandler<'edit-order'> = async (session, request) =>
  orderStateOf(await session.desk.edit(request));
