import type { FetchMyTradesRequest } from '../../adapter/operations/fetch-my-trades.operation.js';
import type { VenueFill } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { normaliseFill } from '../ccxt-normalise.js';

export async function ccxtFetchMyTrades(
  ctx: CcxtContext,
  request: FetchMyTradesRequest,
): Promise<VenueFill[]> {
  const ex = ctx.execution;
  const since = request.since === undefined ? undefined : Math.floor(request.since / 1000);
  const trades = await ctx.call('fetchMyTrades', false, ex, () =>
    ex.fetchMyTrades(request.instrument, since, request.limit),
  );
  return trades.map((trade) => normaliseFill(ex, trade));
}
