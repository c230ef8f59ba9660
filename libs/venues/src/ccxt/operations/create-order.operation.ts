import type { CreateOrderRequest } from '../../adapter/operations/create-order.operation.js';
import { VenueError } from '../../adapter/venue-error.js';
import type { VenueOrder } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { normaliseOrder } from '../ccxt-normalise.js';
import { binanceSpotCreateOrder, usesBinanceSpotOrders } from '../binance-spot-orders.js';
import { checkOnGrid } from '../ccxt-order-checks.js';

export async function ccxtCreateOrder(ctx: CcxtContext, request: CreateOrderRequest): Promise<VenueOrder> {
  if (request.kind === 'limit' && request.price === undefined)
    throw new VenueError('INVALID_ORDER', 'a limit order needs a price', { field: 'price' });
  const ex = ctx.execution;
  await ctx.call('createOrder', false, ex, async () =>
    checkOnGrid(ex, request.instrument, request.amount, request.kind === 'limit' ? request.price : undefined),
  );
  if (usesBinanceSpotOrders(ctx)) return ctx.remember(await binanceSpotCreateOrder(ctx, request));
  const params: Record<string, unknown> = { clientOrderId: request.clientOrderId };
  if (request.kind === 'limit') {
    const tif = request.timeInForce ?? 'GTC';
    if (tif === 'PO') params['postOnly'] = true;
    else params['timeInForce'] = tif;
  }
  const order = await ctx.call('createOrder', true, ex, () =>
    ex.createOrder(
      request.instrument,
      request.kind,
      request.side,
      Number(request.amount),
      request.kind === 'limit' ? Number(request.price) : undefined,
      params,
    ),
  );
  return ctx.remember(
    normaliseOrder(ex, order, {
      clientOrderId: request.clientOrderId,
      instrument: request.instrument,
      side: request.side,
      kind: request.kind,
      timeInForce: request.kind === 'market' ? 'IOC' : (request.timeInForce ?? 'GTC'),
      amount: request.amount,
      ...(request.price === undefined ? {} : { price: request.price }),
    }),
  );
}
