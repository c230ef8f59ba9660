import type { AggregateV1 } from '@tm/contracts';
import { describe, expect, it } from 'vitest';
import { incrementalOf, rejectOf, snapshotOf } from './market-data-messages.js';
import type { MarketDataRequest } from './market-data-request.js';

type Level = [price: number, size: number];

function aggregate(
  bids: Level[],
  asks: Level[],
  lastTrade: AggregateV1['lastTrade'] = null,
  tsInit = 1_000,
): AggregateV1 {
  const level = ([price, size]: Level) => ({ price, size, sources: [{ source: 'binance', size }] });
  return {
    v: 1,
    instrument: 'BTC/USDT',
    tsInit,
    sources: [],
    book: { bids: bids.map(level), asks: asks.map(level) },
    bestBid: null,
    bestAsk: null,
    lastTrade,
    vwap: { candle: null, candleIntervalMicros: 60_000_000, session: null },
    candles: [],
    comparisons: [],
    arbitrage: [],
  };
}

function request(overrides: Partial<MarketDataRequest> = {}): MarketDataRequest {
  return {
    mdReqId: 'req-1',
    subscriptionRequestType: 'subscribe',
    depth: 0,
    updateType: 'incremental',
    entryTypes: ['0', '1'],
    symbols: ['BTC/USDT'],
    ...overrides,
  };
}

const trade = (price: number, amount: number, tsEvent: number) => ({
  price,
  amount,
  source: 'binance',
  tsEvent,
});

describe('snapshotOf', () => {
  it('lists bids then offers, best first, with positions and decimal strings', () => {
    const book = aggregate(
      [
        [100, 1],
        [99.5, 0.1 + 0.2],
      ],
      [[101, 2]],
    );
    expect(snapshotOf(book, request())).toEqual({
      MDReqID: 'req-1',
      Instrument: { Symbol: 'BTC/USDT' },
      MDFullGrp: [
        { MDEntryType: '0', MDEntryPx: '100', MDEntrySize: '1', MDEntryPositionNo: 1 },
        { MDEntryType: '0', MDEntryPx: '99.5', MDEntrySize: '0.3', MDEntryPositionNo: 2 },
        { MDEntryType: '1', MDEntryPx: '101', MDEntrySize: '2', MDEntryPositionNo: 1 },
      ],
    });
  });

  it('applies the depth to each side', () => {
    const book = aggregate(
      [
        [100, 1],
        [99, 1],
        [98, 1],
      ],
      [
        [101, 1],
        [102, 1],
      ],
    );
    const entries = snapshotOf(book, request({ depth: 1 })).MDFullGrp;
    expect(entries.map((e) => [e.MDEntryType, e.MDEntryPx])).toEqual([
      ['0', '100'],
      ['1', '101'],
    ]);
  });

  it('shows only the entry types asked for, with the last trade as type 2', () => {
    const book = aggregate([[100, 1]], [[101, 1]], trade(100.5, 0.25, 5));
    expect(snapshotOf(book, request({ entryTypes: ['1', '2'] })).MDFullGrp).toEqual([
      { MDEntryType: '1', MDEntryPx: '101', MDEntrySize: '1', MDEntryPositionNo: 1 },
      { MDEntryType: '2', MDEntryPx: '100.5', MDEntrySize: '0.25' },
    ]);
  });

  it('has no trade entry before the first trade, and no entries for an empty book', () => {
    expect(snapshotOf(aggregate([], []), request({ entryTypes: ['0', '1', '2'] })).MDFullGrp).toEqual([]);
  });
});

describe('incrementalOf', () => {
  const before = aggregate(
    [
      [100, 1],
      [99, 2],
    ],
    [
      [101, 1],
      [102, 3],
    ],
  );

  it('is null when nothing changed', () => {
    expect(
      incrementalOf(
        before,
        aggregate(
          before.book.bids.map((l) => [l.price, l.size]),
          [
            [101, 1],
            [102, 3],
          ],
          null,
          2_000,
        ),
        request(),
      ),
    ).toBeNull();
  });

  it('sends deletes, then changes, then new levels, per side, with the symbol on every entry', () => {
    const after = aggregate(
      [
        [100.5, 4],
        [100, 1.5],
      ],
      [
        [101, 1],
        [102, 3],
      ],
    );
    expect(incrementalOf(before, after, request())).toEqual({
      MDReqID: 'req-1',
      MDIncGrp: [
        { MDUpdateAction: '2', MDEntryType: '0', Instrument: { Symbol: 'BTC/USDT' }, MDEntryPx: '99' },
        {
          MDUpdateAction: '1',
          MDEntryType: '0',
          Instrument: { Symbol: 'BTC/USDT' },
          MDEntryPx: '100',
          MDEntrySize: '1.5',
          MDEntryPositionNo: 2,
        },
        {
          MDUpdateAction: '0',
          MDEntryType: '0',
          Instrument: { Symbol: 'BTC/USDT' },
          MDEntryPx: '100.5',
          MDEntrySize: '4',
          MDEntryPositionNo: 1,
        },
      ],
    });
  });

  it('diffs at the requested depth: a level pushed out is deleted, changes below it are not seen', () => {
    const after = aggregate(
      [
        [100.5, 4],
        [100, 1],
        [99, 7],
      ],
      [
        [101, 1],
        [102, 9],
      ],
    );
    const x = incrementalOf(before, after, request({ depth: 1 }));
    expect(x?.MDIncGrp.map((e) => [e.MDUpdateAction, e.MDEntryType, e.MDEntryPx, e.MDEntrySize])).toEqual([
      ['2', '0', '100', undefined],
      ['0', '0', '100.5', '4'],
    ]);
    expect(
      incrementalOf(
        before,
        aggregate(
          [
            [100, 1],
            [99, 7],
          ],
          [
            [101, 1],
            [102, 9],
          ],
        ),
        request({ depth: 1 }),
      ),
    ).toBeNull();
  });

  it('ignores float noise that does not change the decimal a client sees', () => {
    const noisy = aggregate(
      [
        [100, 0.1 + 0.2],
        [99, 2],
      ],
      [
        [101, 1],
        [102, 3],
      ],
    );
    const clean = aggregate(
      [
        [100, 0.3],
        [99, 2],
      ],
      [
        [101, 1],
        [102, 3],
      ],
    );
    expect(incrementalOf(noisy, clean, request())).toBeNull();
  });

  it('leaves out sides not asked for', () => {
    const after = aggregate([[98, 1]], [[103, 1]]);
    const x = incrementalOf(before, after, request({ entryTypes: ['1'] }));
    expect(x?.MDIncGrp.every((e) => e.MDEntryType === '1')).toBe(true);
    expect(x?.MDIncGrp.map((e) => [e.MDUpdateAction, e.MDEntryPx])).toEqual([
      ['2', '101'],
      ['2', '102'],
      ['0', '103'],
    ]);
  });

  it('sends a new trade as a New entry of type 2, once', () => {
    const first = aggregate([[100, 1]], [[101, 1]], trade(100, 0.5, 10));
    const second = aggregate([[100, 1]], [[101, 1]], trade(100.25, 0.1, 11));
    const withTrades = request({ entryTypes: ['0', '1', '2'] });
    expect(incrementalOf(first, second, withTrades)?.MDIncGrp).toEqual([
      {
        MDUpdateAction: '0',
        MDEntryType: '2',
        Instrument: { Symbol: 'BTC/USDT' },
        MDEntryPx: '100.25',
        MDEntrySize: '0.1',
      },
    ]);
    expect(incrementalOf(second, second, withTrades)).toBeNull();
    expect(incrementalOf(aggregate([[100, 1]], [[101, 1]]), first, withTrades)?.MDIncGrp).toHaveLength(1);
    expect(incrementalOf(first, second, request())).toBeNull();
  });
});

describe('rejectOf', () => {
  it('carries the reason and the text', () => {
    expect(rejectOf('req-1', '0', 'unknown symbol XYZ/USDT')).toEqual({
      MDReqID: 'req-1',
      MDReqRejReason: '0',
      Text: 'unknown symbol XYZ/USDT',
    });
  });

  it('leaves the reason out when none fits', () => {
    expect(rejectOf('req-1', undefined, 'no active subscription')).toEqual({
      MDReqID: 'req-1',
      Text: 'no active subscription',
    });
  });
});
