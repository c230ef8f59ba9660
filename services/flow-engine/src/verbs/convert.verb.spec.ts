import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import type { FlowVerbInput, InstrumentSpecV1, VenueOpResult } from '@tm/contracts';
import { convertVerb } from './convert.verb.js';
import { aggregateOf, ScriptedFlow, verbSettings, type SourceBook } from './testing/scripted-flow.js';

const VENUE = 'paper';
const SETTINGS = verbSettings();

const INSTRUMENTS: InstrumentSpecV1[] = [
  spec('ETH/USDT', { lotSize: '0.0001', minAmount: '0.001', minNotional: '5' }),
  spec('BTC/USDT', { lotSize: '0.00001', minAmount: '0.0001', minNotional: '1' }),
];
const BOOKS: Record<string, SourceBook> = {
  'ETH/USDT': { bids: [[2000, 10]], asks: [[2001, 10]] },
  'BTC/USDT': { bids: [[40000, 5]], asks: [[40010, 5]] },
};

function spec(symbol: string, fields: Partial<InstrumentSpecV1>): InstrumentSpecV1 {
  const [base, quote] = symbol.split('/') as [string, string];
  return {
    symbol,
    base,
    quote,
    tickSize: '0.01',
    lotSize: null,
    minAmount: null,
    minNotional: null,
    active: true,
    ...fields,
  };
}

interface World {
  balances?: Record<string, string>;
  /** The price each instrument's market orders fill at (default: the touch they take). */
  fillPrice?: Record<string, string>;
  /** fetch-my-trades lists no fills for this many calls first (fills not yet visible). */
  fillsHiddenFor?: number;
}

/** A venue that fills every market order at once, charging 0.1 % in the asset received. */
function convertFlow(input: Partial<FlowVerbInput<'convert'>>, world: World = {}): ScriptedFlow<'convert'> {
  const balances = world.balances ?? { ETH: '5', USDT: '5000', BTC: '0' };
  let tradeCalls = 0;
  const flow: ScriptedFlow<'convert'> = new ScriptedFlow({
    verb: 'convert',
    input: { venue: VENUE, from: 'ETH', to: 'BTC', amount: '1', maxSlippageBps: 100, ...input },
    script: {
      venue: {
        'fetch-instruments': () => ({ instruments: INSTRUMENTS }),
        'fetch-balance': () => ({
          balances: Object.entries(balances).map(([currency, free]) => ({
            currency,
            free,
            used: '0',
            total: free,
          })),
          freeMargin: null,
          leverage: null,
          tsEvent: 1,
        }),
        'fetch-my-trades': (request) => {
          if (tradeCalls++ < (world.fillsHiddenFor ?? 0)) return { fills: [] };
          return { fills: fillsOf(flow, request.instrument, world.fillPrice ?? {}) };
        },
      },
      aggregates: Object.fromEntries(
        Object.entries(BOOKS).map(([symbol, book]) => [symbol, aggregateOf(symbol, { [VENUE]: book })]),
      ),
      onAwait: (order) => ({ ...order, status: 'closed', filled: order.amount }),
    },
  });
  return flow;
}

function fillsOf(
  flow: ScriptedFlow<'convert'>,
  instrument: string,
  fillPrice: Record<string, string>,
): VenueOpResult<'fetch-my-trades'>['fills'] {
  return [...flow.orders.values()]
    .filter((order) => order.instrument === instrument && order.status === 'closed')
    .map((order) => {
      const [base, quote] = instrument.split('/') as [string, string];
      const touch = order.side === 'buy' ? BOOKS[instrument]!.asks[0]![0] : BOOKS[instrument]!.bids[0]![0];
      const price = new Decimal(fillPrice[instrument] ?? String(touch));
      const received = order.side === 'sell' ? price.times(order.filled) : new Decimal(order.filled);
      return {
        tradeId: `t-${order.clientOrderId}`,
        clientOrderId: order.clientOrderId,
        venueOrderId: order.venueOrderId ?? 'v',
        instrument,
        side: order.side,
        price: price.toFixed(),
        amount: order.filled,
        feeCost: received.times('0.001').toFixed(),
        feeCurrency: order.side === 'sell' ? quote : base,
        liquidity: 'taker' as const,
        tsEvent: 1,
      };
    });
}

const placedOrders = (flow: ScriptedFlow<'convert'>) =>
  flow.placed.map(({ step, order }) => [step, order.instrument, order.side, order.kind, order.amount]);

describe('convert', () => {
  it('converts through a bridge, the second leg spending what the first actually received', async () => {
    const flow = convertFlow({}, { fillPrice: { 'ETH/USDT': '1995' } });
    const outcome = await flow.run(convertVerb, SETTINGS);

    // 1 ETH fills at 1995 (not the 2000 planned): 1995 − 0.1 % = 1993.005 USDT → 0.04981 BTC at 40010.
    expect(placedOrders(flow)).toEqual([
      ['leg-1', 'ETH/USDT', 'sell', 'market', '1'],
      ['leg-2', 'BTC/USDT', 'buy', 'market', '0.04981'],
    ]);
    expect(outcome).toMatchObject({
      status: 'succeeded',
      result: {
        from: 'ETH',
        to: 'BTC',
        amount: '1',
        spent: '1',
        received: '0.04976019',
        estimatedOut: '0.04998',
        legs: [
          {
            instrument: 'ETH/USDT',
            cost: '1995',
            fees: [{ currency: 'USDT', cost: '1.995' }],
            received: '1993.005',
          },
          { instrument: 'BTC/USDT', filled: '0.04981', spent: '1992.8981', received: '0.04976019' },
        ],
      },
    });
  });

  it('converts directly in one leg when a market joins the two assets', async () => {
    const flow = convertFlow({ to: 'USDT', amount: '2' });
    const outcome = await flow.run(convertVerb, SETTINGS);
    expect(placedOrders(flow)).toEqual([['leg-1', 'ETH/USDT', 'sell', 'market', '2']]);
    expect(outcome).toMatchObject({ status: 'succeeded', result: { spent: '2', received: '3996' } });
  });

  it('buys when it holds the quote: the base amount from the walked price, rounded down to the lot', async () => {
    const flow = convertFlow({ from: 'USDT', to: 'ETH', amount: '1000' });
    const outcome = await flow.run(convertVerb, SETTINGS);
    // 1000 / 2001 = 0.49975… → 0.4997.
    expect(placedOrders(flow)).toEqual([['leg-1', 'ETH/USDT', 'buy', 'market', '0.4997']]);
    expect(outcome).toMatchObject({
      status: 'succeeded',
      result: { spent: '999.8997', received: '0.4992003' },
    });
  });

  describe('refuses before any order', () => {
    it('without a route', async () => {
      const flow = convertFlow({ to: 'XRP' });
      const outcome = await flow.run(convertVerb, SETTINGS);
      expect(outcome).toMatchObject({ status: 'refused', reason: 'NO_ROUTE' });
      expect(flow.placed).toEqual([]);
    });

    it('when every route walks the book further from the mid than allowed', async () => {
      // 2000 against a mid of 2000.5 is 2.5 bps.
      const outcome = await convertFlow({ to: 'USDT', maxSlippageBps: 2 }).run(convertVerb, SETTINGS);
      expect(outcome).toMatchObject({
        status: 'refused',
        reason: 'NO_ROUTE',
        message: expect.stringContaining('worse than mid') as string,
      });
    });

    it('when the amount is under the first market minimum', async () => {
      const outcome = await convertFlow({ to: 'USDT', amount: '0.0005' }).run(convertVerb, SETTINGS);
      expect(outcome).toMatchObject({ status: 'refused', reason: 'BELOW_MINIMUM' });
    });

    it('when the pre-trade check of the first leg says no', async () => {
      const flow = convertFlow({}, { balances: { ETH: '0.5' } });
      const outcome = await flow.run(convertVerb, SETTINGS);
      expect(outcome).toMatchObject({ status: 'refused', reason: 'INSUFFICIENT_BALANCE' });
      expect(flow.placed).toEqual([]);
      const tight = await convertFlow({}).run(convertVerb, verbSettings({ maxNotional: '100' }));
      expect(tight).toMatchObject({ status: 'refused', reason: 'MAX_NOTIONAL_EXCEEDED' });
    });
  });

  it('fails with what was converted so far when the second leg falls under its minimum', async () => {
    // Planned at 2000: 0.003 ETH → 6 USDT → 0.00014 BTC; filled at 1000: 2.997 USDT buys 0.00007 BTC.
    const flow = convertFlow({ amount: '0.003' }, { fillPrice: { 'ETH/USDT': '1000' } });
    const outcome = await flow.run(convertVerb, SETTINGS);
    expect(outcome).toMatchObject({
      status: 'failed',
      code: 'BELOW_MINIMUM',
      step: 'leg-2',
      message: expect.stringContaining('converted so far: 0.003 ETH into 2.997 USDT') as string,
    });
    expect(placedOrders(flow)).toEqual([['leg-1', 'ETH/USDT', 'sell', 'market', '0.003']]);
  });

  it('retries a leg whose fills are not all visible yet without placing a second order', async () => {
    const flow = convertFlow({ to: 'USDT' }, { fillsHiddenFor: 2 });
    const outcome = await flow.run(convertVerb, SETTINGS);
    expect(outcome).toMatchObject({ status: 'succeeded', result: { received: '1998' } });
    expect(flow.executionsOf('leg-1')).toBe(3);
    expect(flow.placed).toHaveLength(1);
  });

  describe('resumed after a crash', () => {
    const steps = ['route', 'leg-1', 'leg-2'];

    it.each(steps)(
      'after %s committed: committed steps are not run again and no order is placed twice',
      async (step) => {
        const clean = convertFlow({}, { fillPrice: { 'ETH/USDT': '1995' } });
        const expected = await clean.run(convertVerb, SETTINGS);

        const flow = convertFlow({}, { fillPrice: { 'ETH/USDT': '1995' } });
        expect(await flow.run(convertVerb, SETTINGS, { afterCommit: step })).toEqual({
          status: 'crashed',
          step,
        });
        expect(await flow.run(convertVerb, SETTINGS)).toEqual(expected);
        for (const name of steps) expect(flow.executionsOf(name)).toBe(1);
        expect(flow.placed).toHaveLength(2);
      },
    );

    it.each(['leg-1', 'leg-2'])(
      'inside %s after its order was sent: the re-run gets the same order back',
      async (step) => {
        const expected = await convertFlow({}).run(convertVerb, SETTINGS);
        const flow = convertFlow({});
        expect(await flow.run(convertVerb, SETTINGS, { beforeCommit: step })).toEqual({
          status: 'crashed',
          step,
        });
        expect(await flow.run(convertVerb, SETTINGS)).toEqual(expected);
        expect(flow.executionsOf(step)).toBe(2);
        expect(flow.placed).toHaveLength(2);
      },
    );

    it('keeps the committed route even when the market has moved since', async () => {
      const flow = convertFlow({});
      await flow.run(convertVerb, SETTINGS, { afterCommit: 'route' });
      const planned = flow.committed('route');
      // A direct market now pays more (0.06 BTC against 0.04998): a re-plan would take it.
      flow.script.venue!['fetch-instruments'] = () => ({
        instruments: [spec('ETH/BTC', {}), ...INSTRUMENTS],
      });
      flow.script.aggregates!['ETH/BTC'] = aggregateOf('ETH/BTC', {
        [VENUE]: { bids: [[0.06, 100]], asks: [[0.0601, 100]] },
      });
      const outcome = await flow.run(convertVerb, SETTINGS);
      expect(outcome.status).toBe('succeeded');
      expect(flow.committed('route')).toEqual(planned);
      expect(
        flow.calls.filter((call) => call.op === 'fetch-instruments').every((call) => call.step === 'route'),
      ).toBe(true);
      expect(flow.placed.map((placed) => placed.order.instrument)).toEqual(['ETH/USDT', 'BTC/USDT']);
    });
  });
});
