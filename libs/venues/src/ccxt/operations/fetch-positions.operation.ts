import type { FetchPositionsRequest } from '../../adapter/operations/fetch-positions.operation.js';
import type { VenuePosition } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { normalisePosition } from '../ccxt-normalise.js';

/** Spot accounts hold balances, not positions: []. */
export async function ccxtFetchPositions(
  ctx: CcxtContext,
  request: FetchPositionsRequest,
): Promise<VenuePosition[]> {
  const ex = ctx.execution;
  if ((ctx.config.defaultType ?? 'spot') === 'spot' || !ctx.has(ex, 'fetchPositions')) return [];
  const positions = await ctx.call('fetchPositions', false, ex, () => ex.fetchPositions(request.instruments));
  return positions.flatMap((position) => normalisePosition(ex, position) ?? []);
}
