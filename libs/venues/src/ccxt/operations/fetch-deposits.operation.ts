import type { FetchDepositsRequest } from '../../adapter/operations/fetch-deposits.operation.js';
import type { VenueDeposit } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { normaliseDeposit } from '../ccxt-normalise.js';

export async function ccxtFetchDeposits(
  ctx: CcxtContext,
  request: FetchDepositsRequest,
): Promise<VenueDeposit[]> {
  const ex = ctx.execution;
  const since = request.since === undefined ? undefined : Math.floor(request.since / 1000);
  const deposits = await ctx.call('fetchDeposits', false, ex, () =>
    ex.fetchDeposits(request.currency, since),
  );
  return deposits.map((deposit) => normaliseDeposit(ex, deposit));
}
