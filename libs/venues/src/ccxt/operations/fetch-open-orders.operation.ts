import type { FetchOpenOrdersRequest } from '../../adapter/operations/fetch-open-orders.operation.js';
import type { VenueOrder } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { normaliseOrder } from '../ccxt-normalise.js';

export async function ccxtFetchOpenOrders(
  ctx: CcxtContext,
  request: FetchOpenOrdersRequest,
): Promise<VenueOrder[]> {
  const ex = ctx.execution;
  const orders = await ctx.call('fetchOpenOrders', false, ex, () => ex.fetchOpenOrders(request.instrument));
  return orders.map((order) => ctx.remember(normaliseOrder(ex, order)));
}
