import { describe, expect, it } from 'vitest';
import { quoteCurrencyOf, summarizeAccountDays, type SummaryFill } from './account-day-summaries.js';

function fill(
  day: string,
  venue: string,
  instrument: string,
  side: 'buy' | 'sell',
  amount: string,
  price: string,
  order: { id: string; limit?: string },
  fee?: { cost: string; currency: string | null },
): SummaryFill {
  return {
    venue,
    account: 'a1',
    instrument,
    side,
    clientOrderId: order.id,
    orderPrice: order.limit ?? null,
    price,
    amount,
    feeCost: fee?.cost ?? null,
    feeCurrency: fee === undefined ? null : fee.currency,
    day,
  };
}

const D1 = '2024-03-01';
const D2 = '2024-03-02';

// Two days on two venues; BTC/USDT and ETH/USDT:USDT share the USDT quote, BTC/EUR is its own.
const FILLS: SummaryFill[] = [
  // Long 3 BTC at an average of 102.
  fill(
    D1,
    'binance',
    'BTC/USDT',
    'buy',
    '1',
    '100',
    { id: 'o1', limit: '101' },
    { cost: '0.1', currency: 'USDT' },
  ),
  fill(D1, 'binance', 'BTC/USDT', 'buy', '1', '102', { id: 'o2' }, { cost: '0.0001', currency: 'BTC' }),
  fill(D1, 'binance', 'BTC/USDT', 'buy', '1', '104', { id: 'o2' }),
  // A short opened by a market order that keeps filling the next day.
  fill(D1, 'kraken', 'BTC/EUR', 'sell', '0.5', '90', { id: 'o3' }),
  // Sells 2 of 3 at a profit of 8 each, then 1 more at a loss of 2 and 1 past flat into a short.
  fill(
    D2,
    'binance',
    'BTC/USDT',
    'sell',
    '2',
    '110',
    { id: 'o4', limit: '109' },
    { cost: '0.2', currency: 'USDT' },
  ),
  fill(D2, 'binance', 'BTC/USDT', 'sell', '2', '100', { id: 'o5' }),
  fill(D2, 'binance', 'ETH/USDT:USDT', 'buy', '1', '50', { id: 'o6' }, { cost: '0.01', currency: null }),
  fill(D2, 'binance', 'ETH/USDT:USDT', 'sell', '1', '49.5', { id: 'o7' }),
  // o3's second fill walked the book 2 below its first; the short of 1 at 89 is covered at 85.
  fill(D2, 'kraken', 'BTC/EUR', 'sell', '0.5', '88', { id: 'o3' }),
  fill(D2, 'kraken', 'BTC/EUR', 'buy', '1', '85', { id: 'o9' }),
];

describe('summarizeAccountDays', () => {
  it('sums each day, venue and quote: P&L at average cost, commission per currency, slippage, wins and losses', () => {
    expect(summarizeAccountDays(FILLS)).toEqual([
      {
        day: D1,
        venue: 'binance',
        account: 'a1',
        quote: 'USDT',
        fills: 3,
        buyAmount: '3',
        sellAmount: '0',
        notional: '306',
        realizedPnl: '0',
        commission: { BTC: '0.0001', USDT: '0.1' },
        // -1 better than the limit, 0 for o2's first fill, +2 for its second.
        slippage: '1',
        wins: 0,
        losses: 0,
      },
      {
        day: D1,
        venue: 'kraken',
        account: 'a1',
        quote: 'EUR',
        fills: 1,
        buyAmount: '0',
        sellAmount: '0.5',
        notional: '45',
        realizedPnl: '0',
        commission: {},
        slippage: '0',
        wins: 0,
        losses: 0,
      },
      {
        day: D2,
        venue: 'binance',
        account: 'a1',
        quote: 'USDT',
        fills: 4,
        buyAmount: '1',
        sellAmount: '5',
        notional: '519.5',
        realizedPnl: '13.5',
        commission: { USDT: '0.2', unknown: '0.01' },
        slippage: '-2',
        wins: 1,
        losses: 2,
      },
      {
        day: D2,
        venue: 'kraken',
        account: 'a1',
        quote: 'EUR',
        fills: 2,
        buyAmount: '1',
        sellAmount: '0.5',
        notional: '129',
        realizedPnl: '4',
        commission: {},
        slippage: '1',
        wins: 1,
        losses: 0,
      },
    ]);
  });

  it('reports only days from fromDay on, with the cost and first fill prices of the days before', () => {
    const rows = summarizeAccountDays(FILLS, D2);
    expect(
      rows.map(({ day, venue, realizedPnl, slippage }) => ({ day, venue, realizedPnl, slippage })),
    ).toEqual([
      { day: D2, venue: 'binance', realizedPnl: '13.5', slippage: '-2' },
      { day: D2, venue: 'kraken', realizedPnl: '4', slippage: '1' },
    ]);
  });

  it('reports P&L that went through a division to 18 places', () => {
    const rows = summarizeAccountDays([
      fill(D1, 'binance', 'SOL/USDC', 'buy', '1', '1', { id: 'b1' }),
      fill(D1, 'binance', 'SOL/USDC', 'buy', '2', '2', { id: 'b2' }),
      fill(D1, 'binance', 'SOL/USDC', 'sell', '3', '2', { id: 's1' }),
    ]);
    // Cost 5/3: the sale realizes 3 × (2 − 5/3) = 1, not 0.999… from a rounded average.
    expect(rows).toMatchObject([{ quote: 'USDC', realizedPnl: '1', wins: 1, losses: 0 }]);
  });

  it('refuses a fill with an unknown side', () => {
    expect(() => summarizeAccountDays([{ ...FILLS[0], side: 'short' }])).toThrow(/side "short"/);
  });
});

describe('quoteCurrencyOf', () => {
  it('is the part after the slash, up to the settle currency', () => {
    expect(quoteCurrencyOf('BTC/USDT')).toBe('USDT');
    expect(quoteCurrencyOf('ETH/USD:BTC')).toBe('USD');
    expect(() => quoteCurrencyOf('BTCUSDT')).toThrow(/no quote currency/);
  });
});
