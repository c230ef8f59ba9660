import { describe, expect, it } from 'vitest';
import { dailyPnl, quoteCurrencyOf, type PnlFill } from './daily-pnl.js';

const at = (iso: string) => Date.parse(iso) * 1_000;

function fill(
  side: 'buy' | 'sell',
  amount: string,
  price: string,
  time: string,
  extra: Partial<PnlFill> = {},
): PnlFill {
  return {
    venue: 'paper',
    account: 'main',
    instrument: 'BTC/USDT',
    side,
    price,
    amount,
    feeCost: null,
    feeCurrency: null,
    tsEvent: at(time),
    ...extra,
  };
}

const usdt = (feeCost: string) => ({ feeCost, feeCurrency: 'USDT' });

describe('dailyPnl (average cost)', () => {
  it('averages buys, realizes partial and full closes against that cost, and subtracts quote fees', () => {
    const days = dailyPnl([
      fill('buy', '2', '100', '2024-05-01T09:00:00Z', usdt('0.2')),
      fill('buy', '1', '130', '2024-05-01T10:00:00Z', usdt('0.13')),
      fill('sell', '1.5', '120', '2024-05-02T09:00:00Z', usdt('0.18')),
      fill('sell', '1.5', '100', '2024-05-03T09:00:00Z', usdt('0.15')),
    ]);
    // Average cost (2 × 100 + 1 × 130) / 3 = 110.
    expect(
      days.map(({ date, grossRealizedPnl, quoteFees, realizedPnl, position, averageCost }) => ({
        date,
        grossRealizedPnl,
        quoteFees,
        realizedPnl,
        position,
        averageCost,
      })),
    ).toEqual([
      {
        date: '2024-05-01',
        grossRealizedPnl: '0',
        quoteFees: '0.33',
        realizedPnl: '-0.33',
        position: '3',
        averageCost: '110',
      },
      // 1.5 × (120 − 110) = 15, less 0.18; the cost of what is left stays 110.
      {
        date: '2024-05-02',
        grossRealizedPnl: '15',
        quoteFees: '0.18',
        realizedPnl: '14.82',
        position: '1.5',
        averageCost: '110',
      },
      // 1.5 × (100 − 110) = −15, less 0.15; flat, so no cost.
      {
        date: '2024-05-03',
        grossRealizedPnl: '-15',
        quoteFees: '0.15',
        realizedPnl: '-15.15',
        position: '0',
        averageCost: null,
      },
    ]);
    expect(days[0]).toMatchObject({ fills: 2, bought: '3', sold: '0', quoteCurrency: 'USDT', otherFees: [] });
  });

  it('flips from long to short at the fill price, and back, realizing only what closed', () => {
    const [day] = dailyPnl([
      fill('buy', '1', '100', '2024-05-01T09:00:00Z'),
      // Closes 1 at 90 − 100 = −10, opens 2 short at 90.
      fill('sell', '3', '90', '2024-05-01T10:00:00Z'),
      // Covers 1 of the short: 90 − 80 = +10; the short's cost stays 90.
      fill('buy', '1', '80', '2024-05-01T11:00:00Z'),
      // Covers the last 1: 90 − 85 = +5, then opens 1 long at 85.
      fill('buy', '2', '85', '2024-05-01T12:00:00Z'),
    ]);
    expect(day).toMatchObject({
      fills: 4,
      bought: '4',
      sold: '3',
      grossRealizedPnl: '5',
      realizedPnl: '5',
      position: '1',
      averageCost: '85',
    });
  });

  it('reports a short position with a negative size and realizes (cost − price) on a cover', () => {
    const days = dailyPnl([
      fill('sell', '2', '50', '2024-05-01T09:00:00Z'),
      fill('sell', '2', '60', '2024-05-01T10:00:00Z'),
      fill('buy', '1', '40', '2024-05-02T09:00:00Z'),
    ]);
    expect(days[0]).toMatchObject({ position: '-4', averageCost: '55', grossRealizedPnl: '0' });
    expect(days[1]).toMatchObject({ position: '-3', averageCost: '55', grossRealizedPnl: '15' });
  });

  it('lists fees in other currencies by currency, unconverted, and counts a quote rebate as income', () => {
    const [day] = dailyPnl([
      fill('buy', '1', '100', '2024-05-01T09:00:00Z', { feeCost: '0.01', feeCurrency: 'BNB' }),
      fill('buy', '1', '100', '2024-05-01T09:01:00Z', { feeCost: '0.0005', feeCurrency: 'BTC' }),
      fill('sell', '2', '101', '2024-05-01T09:02:00Z', usdt('-0.05')),
      fill('buy', '1', '100', '2024-05-01T09:03:00Z', { feeCost: '0.02', feeCurrency: 'BNB' }),
    ]);
    expect(day.otherFees).toEqual([
      { currency: 'BNB', amount: '0.03' },
      { currency: 'BTC', amount: '0.0005' },
    ]);
    expect(day).toMatchObject({ grossRealizedPnl: '2', quoteFees: '-0.05', realizedPnl: '2.05' });
  });

  it('builds the cost from fills before the range and reports only the days inside it', () => {
    const days = dailyPnl(
      [
        fill('buy', '1', '100', '2024-04-30T23:59:59.999999Z'),
        fill('sell', '1', '105', '2024-05-01T00:00:00Z'),
        fill('buy', '1', '100', '2024-05-03T00:00:00Z'),
      ],
      { fromDate: '2024-05-01', toDate: '2024-05-02' },
    );
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({ date: '2024-05-01', grossRealizedPnl: '5', position: '0' });
  });

  it('keeps positions apart per venue, account and instrument, in a stable order', () => {
    const days = dailyPnl([
      fill('buy', '1', '3000', '2024-05-01T09:00:00Z', { instrument: 'ETH/USDC' }),
      fill('buy', '1', '100', '2024-05-01T09:00:00Z', { venue: 'binance' }),
      fill('sell', '1', '3100', '2024-05-01T10:00:00Z', { instrument: 'ETH/USDC' }),
      fill('sell', '1', '90', '2024-05-01T10:00:00Z', { account: 'other' }),
    ]);
    expect(
      days.map((d) => [d.venue, d.account, d.instrument, d.quoteCurrency, d.grossRealizedPnl, d.position]),
    ).toEqual([
      ['binance', 'main', 'BTC/USDT', 'USDT', '0', '1'],
      ['paper', 'main', 'ETH/USDC', 'USDC', '100', '0'],
      ['paper', 'other', 'BTC/USDT', 'USDT', '0', '-1'],
    ]);
  });

  it('carries averages that do not divide evenly without losing the cent', () => {
    const [day] = dailyPnl([
      fill('buy', '1', '1', '2024-05-01T09:00:00Z'),
      fill('buy', '2', '2', '2024-05-01T09:01:00Z'),
    ]);
    expect(day.averageCost).toBe('1.666666666666666667');
    const [closed] = dailyPnl([
      fill('buy', '1', '1', '2024-05-01T09:00:00Z'),
      fill('buy', '2', '2', '2024-05-01T09:01:00Z'),
      fill('sell', '3', '2', '2024-05-01T09:02:00Z'),
    ]);
    // 3 × (2 − 5/3) is exactly 1.
    expect(closed.grossRealizedPnl).toBe('1');
  });

  it('keeps tiny amounts in plain notation', () => {
    const [day] = dailyPnl([
      fill('buy', '0.00000001', '65000.5', '2024-05-01T09:00:00Z', usdt('0.000000001')),
    ]);
    expect(day).toMatchObject({
      bought: '0.00000001',
      quoteFees: '0.000000001',
      realizedPnl: '-0.000000001',
    });
  });

  it('refuses a fill whose side is neither buy nor sell', () => {
    expect(() => dailyPnl([{ ...fill('buy', '1', '1', '2024-05-01T00:00:00Z'), side: 'short' }])).toThrow(
      /side "short"/,
    );
  });

  it('takes the quote currency of spot and of linear swaps', () => {
    expect(quoteCurrencyOf('BTC/USDT')).toBe('USDT');
    expect(quoteCurrencyOf('BTC/USDT:USDT')).toBe('USDT');
    expect(() => quoteCurrencyOf('BTCUSDT')).toThrow(/no quote currency/);
  });
});
