import { BookDeltaV1, TickV1, TradeV1 } from './schemas/market-data.schema.js';
import { describe, expect, it } from 'vitest';
import { MarketDataDecoder } from './market-data-decoder.js';

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const tick = {
  v: 1,
  instrument: 'BTC/USDT',
  source: 'binance',
  bid: 1,
  bidSize: 2,
  ask: 3,
  askSize: 4,
  tsEvent: 5,
  tsInit: 6,
};
const trade = {
  v: 1,
  instrument: 'BTC/USDT:USDT',
  source: 'okx',
  tradeId: 'x1',
  price: 10,
  amount: 0.5,
  takerSide: null,
  tsEvent: 5,
  tsInit: 6,
};
const book = {
  v: 1,
  instrument: 'ETH/BTC',
  source: 'fix:lp1',
  snapshot: true,
  bids: [[1, 2]],
  asks: [],
  sequence: null,
  tsEvent: 5,
  tsInit: 6,
};

describe('MarketDataDecoder', () => {
  it('gives exactly what the schemas give for well-formed payloads', () => {
    const decoder = new MarketDataDecoder();
    expect(decoder.decode('tick', bytes(tick))).toEqual({ ok: true, value: TickV1.parse(tick) });
    expect(decoder.decode('trade', bytes(trade))).toEqual({ ok: true, value: TradeV1.parse(trade) });
    expect(decoder.decode('book', bytes(book))).toEqual({ ok: true, value: BookDeltaV1.parse(book) });
  });

  it.each([
    ['tick', { ...tick, bid: null }, 'bid'],
    ['tick', { ...tick, v: 2 }, 'v'],
    ['tick', { ...tick, instrument: 'btcusdt' }, 'instrument'],
    ['tick', { ...tick, tsEvent: 1.5 }, 'tsEvent'],
    ['tick', { ...tick, source: '' }, 'source'],
    ['trade', { ...trade, takerSide: 'up' }, 'takerSide'],
    ['trade', { ...trade, tradeId: 7 }, 'tradeId'],
    ['book', { ...book, bids: [[1]] }, 'bids.0'],
    ['book', { ...book, sequence: -1 }, 'sequence'],
    ['book', { ...book, snapshot: 'yes' }, 'snapshot'],
  ] as const)('refuses a bad %s, naming the field (%j)', (kind, payload, field) => {
    const result = new MarketDataDecoder().decode(kind, bytes(payload));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(`${field}:`);
  });

  it('refuses what is not JSON or not UTF-8', () => {
    const decoder = new MarketDataDecoder();
    expect(decoder.decode('tick', bytes('{"v":1,'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^payload is not JSON/),
    });
    expect(decoder.decode('tick', Buffer.from([0xff, 0xfe]))).toEqual({
      ok: false,
      reason: 'payload is not valid UTF-8',
      details: [],
    });
  });

  it('leaves range checks to the aggregation, which counts them per source', () => {
    expect(new MarketDataDecoder().decode('tick', bytes({ ...tick, bidSize: -1 }))).toMatchObject({
      ok: true,
    });
  });

  it('finds the source of a refused payload when it names one', () => {
    expect(MarketDataDecoder.sourceOf(bytes({ ...tick, bid: null }))).toBe('binance');
    expect(MarketDataDecoder.sourceOf(bytes('nope'))).toBeUndefined();
  });
});
