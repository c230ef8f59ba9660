import type { FetchOrderRequest } from '../../adapter/operations/fetch-order.operation.js';
import type { VenueOrder } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { normaliseOrder } from '../ccxt-normalise.js';
import { orderRef } from './cancel-order.operation.js';

export async function ccxtFetchOrder(ctx: CcxtContext, request: FetchOrderRequest): Promise<VenueOrder> {
  const ex = ctx.execution;
  const { id, params } = orderRef(request);
  const order = await ctx.call('fetchOrder', false, ex, () => ex.fetchOrder(id, request.instrument, params));
  return ctx.remember(
    normaliseOrder(ex, order, {
      instrument: request.instrument,
      ...(request.clientOrderId === undefined ? {} : { clientOrderId: request.clientOrderId }),
    }),
  );
}
