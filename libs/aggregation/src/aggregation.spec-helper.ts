// Builders and a seeded PRNG shared by this lib's specs (not exported from the lib).
import type { BookDeltaV1, TickV1, TradeV1 } from '@tm/contracts';

export const INSTRUMENT = 'BTC/USDT';

export function tick(
  source: string,
  bid: number,
  ask: number,
  ts: number,
  extra: Partial<TickV1> = {},
): TickV1 {
  return {
    v: 1,
    instrument: INSTRUMENT,
    source,
    bid,
    bidSize: 1,
    ask,
    askSize: 1,
    tsEvent: ts,
    tsInit: ts,
    ...extra,
  };
}

export function trade(
  source: string,
  price: number,
  amount: number,
  ts: number,
  extra: Partial<TradeV1> = {},
): TradeV1 {
  return {
    v: 1,
    instrument: INSTRUMENT,
    source,
    tradeId: `${source}-${ts}`,
    price,
    amount,
    takerSide: null,
    tsEvent: ts,
    tsInit: ts,
    ...extra,
  };
}

export function book(
  source: string,
  snapshot: boolean,
  bids: [number, number][],
  asks: [number, number][],
  ts: number,
  extra: Partial<BookDeltaV1> = {},
): BookDeltaV1 {
  return {
    v: 1,
    instrument: INSTRUMENT,
    source,
    snapshot,
    bids,
    asks,
    sequence: null,
    tsEvent: ts,
    tsInit: ts,
    ...extra,
  };
}

/** mulberry32: the same seed gives the same sequence everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
