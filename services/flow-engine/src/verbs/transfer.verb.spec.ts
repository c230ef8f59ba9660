import { describe, expect, it } from 'vitest';
import type { FlowVerbInput, VenueOpRequest, VenueOpResult } from '@tm/contracts';
import { transferVerb } from './transfer.verb.js';
import { ScriptedFlow, verbSettings } from './testing/scripted-flow.js';

const SETTINGS = verbSettings({
  transferWhitelist: { 'paper/acct1': ['acct1-savings'], 'paper/acct2': ['acct1-other'] },
});

/** A venue that books a transfer once per origin, as the venue connector does. */
function transferFlow(input: Partial<FlowVerbInput<'transfer'>> = {}, free = '100') {
  const transfers = new Map<string, VenueOpResult<'transfer'>>();
  const flow = new ScriptedFlow({
    verb: 'transfer',
    input: { venue: 'paper', currency: 'USDT', amount: '40', toAccount: 'acct1-savings', ...input },
    script: {
      venue: {
        'fetch-balance': () => ({
          balances: [{ currency: 'USDT', free, used: '0', total: free }],
          freeMargin: null,
          leverage: null,
          tsEvent: 1,
        }),
        transfer: (request: VenueOpRequest<'transfer'>) => {
          const key = JSON.stringify(request.origin);
          const booked = transfers.get(key) ?? {
            transferId: `tr-${transfers.size + 1}`,
            currency: request.currency,
            amount: request.amount,
            from: request.fromAccount,
            to: request.toAccount,
            tsEvent: 5,
          };
          transfers.set(key, booked);
          return booked;
        },
      },
    },
  });
  return { flow, transfers };
}

describe('transfer', () => {
  it('moves the amount from the flow account to a whitelisted sub-account', async () => {
    const { flow } = transferFlow();
    const outcome = await flow.run(transferVerb, SETTINGS);
    expect(outcome).toEqual({
      status: 'succeeded',
      result: {
        transferId: 'tr-1',
        currency: 'USDT',
        amount: '40',
        from: 'acct1',
        to: 'acct1-savings',
        tsEvent: 5,
      },
    });
    expect(flow.calls.find((call) => call.op === 'transfer')?.request).toEqual({
      v: 1,
      origin: { flowId: 'flow-1', step: 1, child: 0 },
      currency: 'USDT',
      amount: '40',
      fromAccount: 'acct1',
      toAccount: 'acct1-savings',
    });
  });

  it('refuses a destination not on the whitelist of <venue>/<account>, before asking the venue anything', async () => {
    // acct1-other is whitelisted for acct2 only.
    const { flow } = transferFlow({ toAccount: 'acct1-other' });
    expect(await flow.run(transferVerb, SETTINGS)).toMatchObject({
      status: 'refused',
      reason: 'DESTINATION_NOT_WHITELISTED',
    });
    expect(flow.calls).toEqual([]);
    const elsewhere = transferFlow({ venue: 'binance' }).flow;
    expect(await elsewhere.run(transferVerb, SETTINGS)).toMatchObject({
      reason: 'DESTINATION_NOT_WHITELISTED',
    });
  });

  it('refuses more than the free balance', async () => {
    const { flow, transfers } = transferFlow({ amount: '100.01' });
    expect(await flow.run(transferVerb, SETTINGS)).toMatchObject({
      status: 'refused',
      reason: 'INSUFFICIENT_BALANCE',
    });
    expect(transfers.size).toBe(0);
    const exact = transferFlow({ amount: '100' });
    expect(await exact.flow.run(transferVerb, SETTINGS)).toMatchObject({ status: 'succeeded' });
  });

  describe('resumed after a crash', () => {
    it('after check: the balance is not asked again', async () => {
      const { flow } = transferFlow();
      await flow.run(transferVerb, SETTINGS, { afterCommit: 'check' });
      expect(await flow.run(transferVerb, SETTINGS)).toMatchObject({ status: 'succeeded' });
      expect(flow.calls.map((call) => call.op)).toEqual(['fetch-balance', 'transfer']);
    });

    it('inside transfer: nothing is sent again; the flow fails TRANSFER_UNCONFIRMED for a person to check', async () => {
      const { flow, transfers } = transferFlow();
      await flow.run(transferVerb, SETTINGS, { beforeCommit: 'transfer' });
      expect(await flow.run(transferVerb, SETTINGS)).toMatchObject({
        status: 'failed',
        code: 'TRANSFER_UNCONFIRMED',
      });
      expect(transfers.size).toBe(1);
      expect(flow.calls.filter((call) => call.op === 'transfer')).toHaveLength(1);
    });

    it('after transfer: nothing is sent again', async () => {
      const { flow } = transferFlow();
      await flow.run(transferVerb, SETTINGS, { afterCommit: 'transfer' });
      expect(await flow.run(transferVerb, SETTINGS)).toMatchObject({ result: { transferId: 'tr-1' } });
      expect(flow.calls.map((call) => call.op)).toEqual(['fetch-balance', 'transfer']);
    });
  });
});
