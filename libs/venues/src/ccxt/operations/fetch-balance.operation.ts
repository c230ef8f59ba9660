import type { BalanceSnapshot } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { normaliseBalance } from '../ccxt-normalise.js';

export async function ccxtFetchBalance(ctx: CcxtContext): Promise<BalanceSnapshot> {
  const ex = ctx.execution;
  const balances = await ctx.call('fetchBalance', false, ex, () => ex.fetchBalance());
  return normaliseBalance(ex, balances);
}
