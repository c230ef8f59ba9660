import { Decimal } from 'decimal.js';
import type { FlowVerb } from '../engine/flow-verb.js';
import { instrumentSpec } from '../pre-trade/pre-trade-checks.js';
import { executeTrade, floorToLot } from './trade-execution.js';

/**
 * sell: like buy; with `fractionOfFree` a first step sizes the order from the free base balance (rounded
 * down to the lot, refused below the instrument's minimums) and commits the amount.
 */
export const sellVerb: FlowVerb<'sell'> = {
  name: 'sell',
  async run(flow, settings) {
    const input = flow.input;
    const amount =
      input.amount ??
      (
        await flow.step('size', async (step) => {
          const spec = await instrumentSpec(step, input.venue, input.instrument);
          if (!spec)
            return step.refuse(
              'INSTRUMENT_NOT_TRADABLE',
              `${input.instrument} is not listed on ${input.venue}`,
            );
          const { balances } = await step.venue(input.venue, 'fetch-balance', { v: 1 });
          const free = new Decimal(balances.find((b) => b.currency === spec.base)?.free ?? '0');
          const sized = floorToLot(free.mul(input.fractionOfFree!), spec.lotSize);
          if (sized.lte(0) || (spec.minAmount !== null && sized.lt(spec.minAmount)))
            step.refuse(
              'BELOW_MINIMUM',
              `${input.fractionOfFree} of the free ${free.toString()} ${spec.base} is ${sized.toString()}, below the minimum`,
            );
          return { free: free.toString(), amount: sized.toString() };
        })
      ).amount;
    return executeTrade(flow, settings, 'sell', input, amount);
  },
};
