import type { CancelOrderRequest } from '../../adapter/operations/cancel-order.operation.js';
import { VenueError } from '../../adapter/venue-error.js';
import type { VenueOrder } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { normaliseOrder } from '../ccxt-normalise.js';

export async function ccxtCancelOrder(ctx: CcxtContext, request: CancelOrderRequest): Promise<VenueOrder> {
  const ex = ctx.execution;
  const { id, params } = orderRef(request);
  const order = await ctx.call('cancelOrder', true, ex, () => ex.cancelOrder(id, request.instrument, params));
  const known = request.venueOrderId === undefined ? undefined : ctx.known(request.venueOrderId);
  return ctx.remember(
    normaliseOrder(ex, order, {
      instrument: request.instrument,
      ...(request.clientOrderId === undefined ? {} : { clientOrderId: request.clientOrderId }),
      ...(known === undefined ? {} : { side: known.side, kind: known.kind, timeInForce: known.timeInForce }),
    }),
  );
}

/** ccxt takes the venue id positionally and a client id as the unified `clientOrderId` param. */
export function orderRef(request: { venueOrderId?: string; clientOrderId?: string }): {
  id: string;
  params: Record<string, unknown>;
} {
  if (request.venueOrderId !== undefined) return { id: request.venueOrderId, params: {} };
  if (request.clientOrderId !== undefined)
    return { id: '', params: { clientOrderId: request.clientOrderId } };
  throw new VenueError('INVALID_ORDER', 'venueOrderId or clientOrderId is required', {
    field: 'venueOrderId',
  });
}
