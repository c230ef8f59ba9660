import type { EditOrderRequest } from '../../adapter/operations/edit-order.operation.js';
import type { VenueOrder } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { normaliseOrder } from '../ccxt-normalise.js';
import { checkOnGrid } from '../ccxt-order-checks.js';
import { ccxtFetchOrder } from './fetch-order.operation.js';

/** Cancel-replace (Binance spot: order/cancelReplace). The venue needs the side, so an order we
 *  have not seen is fetched first. */
export async function ccxtEditOrder(ctx: CcxtContext, request: EditOrderRequest): Promise<VenueOrder> {
  const ex = ctx.execution;
  await ctx.call('editOrder', false, ex, async () =>
    checkOnGrid(ex, request.instrument, request.amount, request.price),
  );
  const old =
    ctx.known(request.venueOrderId) ??
    (await ccxtFetchOrder(ctx, { instrument: request.instrument, venueOrderId: request.venueOrderId }));
  const params: Record<string, unknown> = { clientOrderId: request.clientOrderId };
  if (old.timeInForce === 'PO') params['postOnly'] = true;
  else params['timeInForce'] = old.timeInForce;
  const order = await ctx.call('editOrder', true, ex, () =>
    ex.editOrder(
      request.venueOrderId,
      request.instrument,
      'limit',
      old.side,
      Number(request.amount),
      Number(request.price),
      params,
    ),
  );
  return ctx.remember(
    normaliseOrder(ex, order, {
      clientOrderId: request.clientOrderId,
      instrument: request.instrument,
      side: old.side,
      kind: 'limit',
      timeInForce: old.timeInForce,
      amount: request.amount,
      price: request.price,
    }),
  );
}
