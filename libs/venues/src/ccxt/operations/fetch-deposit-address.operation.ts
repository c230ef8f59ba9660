import type { FetchDepositAddressRequest } from '../../adapter/operations/fetch-deposit-address.operation.js';
import type { DepositAddress } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';

export async function ccxtFetchDepositAddress(
  ctx: CcxtContext,
  request: FetchDepositAddressRequest,
): Promise<DepositAddress> {
  const ex = ctx.execution;
  const params = request.network === undefined ? {} : { network: request.network };
  const address = await ctx.call('fetchDepositAddress', false, ex, () =>
    ex.fetchDepositAddress(request.currency, params),
  );
  return {
    currency: typeof address.currency === 'string' ? address.currency : request.currency,
    address: String(address.address),
    tag: typeof address.tag === 'string' && address.tag !== '' ? address.tag : null,
    network: typeof address.network === 'string' ? address.network : (request.network ?? null),
  };
}
