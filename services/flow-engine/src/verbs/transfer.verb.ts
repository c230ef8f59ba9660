import { Decimal } from 'decimal.js';
import type { FlowVerb } from '../engine/flow-verb.js';
import { StepError } from '../engine/step.error.js';

/**
 * transfer. Steps: `check` (the destination is whitelisted for `<venue>/<account>` and the free balance
 * covers the amount; commits `{ free }`), `transfer` (the venue's transfer, sent at most once: a
 * second attempt fails TRANSFER_UNCONFIRMED instead of risking a double transfer; commits the venue's answer). Result: the transfer as the venue confirmed it.
 */
export const transferVerb: FlowVerb<'transfer'> = {
  name: 'transfer',
  async run(flow, settings) {
    const { venue, currency, amount, toAccount } = flow.input;
    await flow.step('check', async (step) => {
      const whitelist = settings.transferWhitelist[`${venue}/${step.account}`] ?? [];
      if (!whitelist.includes(toAccount))
        step.refuse(
          'DESTINATION_NOT_WHITELISTED',
          `${toAccount} is not on the transfer whitelist of ${venue}/${step.account}`,
        );
      const { balances } = await step.venue(venue, 'fetch-balance', { v: 1 });
      const free = balances.find((balance) => balance.currency === currency)?.free ?? '0';
      if (new Decimal(free).lt(amount))
        step.refuse('INSUFFICIENT_BALANCE', `${amount} ${currency} asked, ${free} free on ${venue}`);
      return { free };
    });
    // Sent once, never again: venues do not dedupe transfers by our id, so an attempt that may have reached
    // the venue (a timeout, a crash before the answer was committed) ends the flow for a person to check.
    const transfer = await flow.step(
      'transfer',
      (step) => {
        if (step.attempt > 1)
          throw new StepError(
            'TRANSFER_UNCONFIRMED',
            `an earlier attempt of this transfer may have reached ${venue}; check its transfer history before sending it again`,
            false,
          );
        return step.venue(venue, 'transfer', {
          v: 1,
          origin: { flowId: step.flowId, step: step.index, child: 0 },
          currency,
          amount,
          fromAccount: step.account,
          toAccount,
        });
      },
      { maxAttempts: 1 },
    );
    return transfer;
  },
};
