import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import type { InstrumentSpecV1 } from '@tm/contracts';
import {
  explainRejections,
  planConvertRoute,
  routeInstruments,
  venueBook,
  walkBuyWithQuote,
  walkSell,
  type VenueBook,
} from './convert-route.js';
import { aggregateOf, type SourceBook } from './testing/scripted-flow.js';

function spec(symbol: string, fields: Partial<InstrumentSpecV1> = {}): InstrumentSpecV1 {
  const [base, quote] = symbol.split('/') as [string, string];
  return {
    symbol,
    base,
    quote,
    tickSize: '0.01',
    lotSize: '0.0001',
    minAmount: null,
    minNotional: null,
    active: true,
    ...fields,
  };
}

function books(byInstrument: Record<string, SourceBook>): Map<string, VenueBook> {
  return new Map(
    Object.entries(byInstrument).map(([symbol, book]) => [
      symbol,
      venueBook(aggregateOf(symbol, { paper: book }), 'paper'),
    ]),
  );
}

function plan(
  from: string,
  to: string,
  amount: string,
  instruments: InstrumentSpecV1[],
  byInstrument: Record<string, SourceBook>,
  maxSlippageBps = 100,
) {
  return planConvertRoute({
    from,
    to,
    amount: new Decimal(amount),
    maxSlippageBps,
    instruments,
    books: books(byInstrument),
  });
}

describe('book walking', () => {
  const book = books({
    'ETH/USDT': {
      bids: [
        [2000, 1],
        [1990, 2],
      ],
      asks: [
        [2010, 1],
        [2020, 5],
      ],
    },
  }).get('ETH/USDT')!;

  it('sells through the bids level by level', () => {
    const walk = walkSell(book, new Decimal('2'));
    expect(walk?.proceeds.toFixed()).toBe('3990');
    expect(walk?.price.toFixed()).toBe('1995');
    expect(walkSell(book, new Decimal('3.5'))).toBeNull();
  });

  it('buys with a quote budget, rounding the amount down to the lot and costing only that amount', () => {
    const walk = walkBuyWithQuote(book, new Decimal('3030'), new Decimal('0.0001'));
    // 1 at 2010, then 1020 / 2020 = 0.50495… → 0.5049 at 2020.
    expect(walk?.amount.toFixed()).toBe('1.5049');
    expect(walk?.cost.toFixed()).toBe('3029.898');
    expect(walkBuyWithQuote(book, new Decimal('1000000'), new Decimal('0.0001'))).toBeNull();
  });

  it("walks only the venue's own liquidity of a consolidated book", () => {
    const aggregate = aggregateOf('ETH/USDT', {
      binance: { bids: [[2005, 10]], asks: [[2006, 10]] },
      paper: { bids: [[2000, 1]], asks: [[2010, 1]] },
    });
    const own = venueBook(aggregate, 'paper');
    expect(own.bids.map((level) => level.price.toNumber())).toEqual([2000]);
    expect(own.asks.map((level) => level.size.toNumber())).toEqual([1]);
  });
});

describe('planConvertRoute', () => {
  const ethUsdt: SourceBook = {
    bids: [
      [2000, 1],
      [1990, 2],
    ],
    asks: [
      [2010, 1],
      [2020, 5],
    ],
  };

  it('sells directly when from is the base of a market', () => {
    const { route } = plan('ETH', 'USDT', '2', [spec('ETH/USDT')], { 'ETH/USDT': ethUsdt });
    expect(route?.legs.map((leg) => [leg.instrument, leg.side, leg.amount])).toEqual([
      ['ETH/USDT', 'sell', '2'],
    ]);
    expect(route?.estimatedOut).toBe('3990');
    // Walked 1995 against a mid of 2005.
    expect(route?.slippageBps).toBe('49.88');
  });

  it('buys directly when from is the quote of a market, spending at most the amount', () => {
    const { route } = plan('USDT', 'ETH', '3030', [spec('ETH/USDT')], { 'ETH/USDT': ethUsdt });
    expect(route?.legs).toMatchObject([
      { instrument: 'ETH/USDT', side: 'buy', amount: '1.5049', spend: '3029.898', receive: '1.5049' },
    ]);
    expect(route?.estimatedOut).toBe('1.5049');
  });

  it('goes through a bridge when no market connects the two assets', () => {
    const { route } = plan('SOL', 'ETH', '10', [spec('SOL/USDT'), spec('ETH/USDT')], {
      'SOL/USDT': { bids: [[100, 50]], asks: [[100.1, 50]] },
      'ETH/USDT': ethUsdt,
    });
    // 10 SOL → 1000 USDT → 1000 / 2010 = 0.49751… → 0.4975 ETH.
    expect(route?.legs.map((leg) => `${leg.instrument} ${leg.side}`)).toEqual([
      'SOL/USDT sell',
      'ETH/USDT buy',
    ]);
    expect(route?.legs[1]?.spend).toBe('999.975');
    expect(route?.estimatedOut).toBe('0.4975');
  });

  it('prefers the bridge that yields the most, and a bridge over a worse direct market', () => {
    const instruments = [
      spec('SOL/ETH'),
      spec('SOL/USDT'),
      spec('ETH/USDT'),
      spec('SOL/BTC'),
      spec('ETH/BTC'),
    ];
    const markets = {
      // Direct: 10 SOL at 0.045 = 0.45 ETH, 120 bps under its mid; allowed by a wide limit but yields less.
      'SOL/ETH': { bids: [[0.045, 100]], asks: [[0.0461, 100]] } satisfies SourceBook,
      'SOL/USDT': { bids: [[100, 50]], asks: [[100.1, 50]] } satisfies SourceBook,
      'ETH/USDT': ethUsdt,
      'SOL/BTC': { bids: [[0.0025, 50]], asks: [[0.002501, 50]] } satisfies SourceBook,
      'ETH/BTC': { bids: [[0.0497, 10]], asks: [[0.04975, 10]] } satisfies SourceBook,
    };
    const { route } = plan('SOL', 'ETH', '10', instruments, markets, 500);
    // Through BTC: 10 × 0.0025 = 0.025 BTC → 0.025 / 0.04975 = 0.50251… → 0.5025 ETH (USDT gives 0.4975).
    expect(route?.legs.map((leg) => leg.instrument)).toEqual(['SOL/BTC', 'ETH/BTC']);
    expect(route?.estimatedOut).toBe('0.5025');

    const direct = plan('SOL', 'ETH', '10', instruments, {
      ...markets,
      'SOL/ETH': { bids: [[0.051, 100]], asks: [[0.0511, 100]] },
    });
    expect(direct.route?.legs.map((leg) => leg.instrument)).toEqual(['SOL/ETH']);
    expect(direct.route?.estimatedOut).toBe('0.51');
  });

  it('rejects a route whose walked price is worse than the mid by more than the limit', () => {
    const thin: SourceBook = {
      bids: [
        [2000, 1],
        [1900, 5],
      ],
      asks: [[2010, 1]],
    };
    const result = plan('ETH', 'USDT', '3', [spec('ETH/USDT')], { 'ETH/USDT': thin }, 100);
    expect(result.route).toBeNull();
    expect(result.rejected).toEqual([
      {
        route: 'ETH/USDT sell',
        reason: expect.stringContaining('worse than mid (at most 100)') as string,
        belowMinimum: false,
      },
    ]);
    // The same walk passes a wider limit.
    expect(plan('ETH', 'USDT', '3', [spec('ETH/USDT')], { 'ETH/USDT': thin }, 500).route).not.toBeNull();
  });

  it('counts the slippage of both legs of a bridged route together', () => {
    const instruments = [spec('SOL/USDT'), spec('ETH/USDT')];
    // 99.4 / 100 × 2000 / 2012 = 0.98807…: about 60 bps a leg, 119.28 together.
    const markets = {
      'SOL/USDT': { bids: [[99.4, 50]], asks: [[100.6, 50]] } satisfies SourceBook,
      'ETH/USDT': { bids: [[1988, 10]], asks: [[2012, 10]] } satisfies SourceBook,
    };
    expect(plan('SOL', 'ETH', '10', instruments, markets, 100).route).toBeNull();
    expect(plan('SOL', 'ETH', '10', instruments, markets, 130).route?.slippageBps).toBe('119.28');
  });

  it('finds no route when no market connects the assets, and says why', () => {
    const result = plan('SOL', 'XRP', '10', [spec('SOL/USDT'), spec('ETH/USDT')], {});
    expect(result).toEqual({ route: null, rejected: [] });
    expect(explainRejections('SOL', 'XRP', result.rejected)).toContain(
      'no spot market on the venue connects SOL to XRP',
    );
  });

  it('ignores inactive markets and markets without a book on the venue', () => {
    const instruments = [spec('ETH/USDT', { active: false }), spec('ETH/USDC'), spec('USDC/USDT')];
    const result = plan('ETH', 'USDT', '1', instruments, { 'ETH/USDC': ethUsdt });
    expect(result.route).toBeNull();
    expect(result.rejected).toEqual([
      {
        route: 'ETH/USDC sell → USDC/USDT sell',
        reason: 'no market data for USDC/USDT',
        belowMinimum: false,
      },
    ]);
  });

  it('rejects a leg below its minimum and marks it so', () => {
    const instruments = [spec('ETH/USDT', { minAmount: '0.01', minNotional: '10' })];
    const tiny = plan('ETH', 'USDT', '0.004', instruments, { 'ETH/USDT': ethUsdt });
    expect(tiny.route).toBeNull();
    expect(tiny.rejected[0]).toMatchObject({
      belowMinimum: true,
      reason: expect.stringContaining('minimum amount') as string,
    });
    const dust = plan('ETH', 'USDT', '0.00001', instruments, { 'ETH/USDT': ethUsdt });
    expect(dust.rejected[0]).toMatchObject({
      belowMinimum: true,
      reason: expect.stringContaining('less than one lot') as string,
    });
  });

  it('lists the books planning needs: direct and bridged markets only', () => {
    const instruments = [
      spec('SOL/ETH'),
      spec('SOL/USDT'),
      spec('ETH/USDT'),
      spec('XRP/USDT'),
      spec('BTC/USDT'),
    ];
    expect(routeInstruments('SOL', 'ETH', instruments).sort()).toEqual(['ETH/USDT', 'SOL/ETH', 'SOL/USDT']);
  });
});
