import type { CandleV1 } from '@tm/contracts';
import { describe, expect, it } from 'vitest';
import { CandleSelection } from './candle-selection.js';

const MINUTE = 60_000_000;

function candle(startMinute: number, extra: Partial<CandleV1> = {}): CandleV1 {
  return {
    v: 1,
    instrument: 'BTC/USDT',
    intervalMicros: MINUTE,
    start: startMinute * MINUTE,
    open: 100 + startMinute,
    high: 101 + startMinute,
    low: 99 + startMinute,
    close: 100.5 + startMinute,
    volume: 2,
    trades: 3,
    ...extra,
  };
}

const GRACE = MINUTE;
const starts = (selection: CandleSelection) => selection.candles().map((c) => c.start / MINUTE);

describe('CandleSelection', () => {
  it('keeps the instrument and interval asked for, from `from` (inclusive) to `to` (exclusive)', () => {
    const selection = new CandleSelection(
      {
        instrument: 'BTC/USDT',
        intervalMicros: MINUTE,
        fromMicros: 10 * MINUTE,
        toMicros: 13 * MINUTE,
        limit: 100,
      },
      GRACE,
    );
    for (const offered of [
      candle(9),
      candle(10),
      candle(10, { intervalMicros: 1_000_000, start: 10 * MINUTE }),
      candle(11, { instrument: 'ETH/USDT' }),
      candle(11),
      candle(12),
      candle(13),
    ])
      selection.offer(offered);
    expect(starts(selection)).toEqual([10, 11, 12]);
  });

  it('with `from`, keeps the first `limit` and is settled once it has them', () => {
    const selection = new CandleSelection(
      {
        instrument: 'BTC/USDT',
        intervalMicros: MINUTE,
        fromMicros: 0,
        toMicros: 100 * MINUTE,
        limit: 2,
      },
      GRACE,
    );
    expect(selection.readStartMicros).toBe(0);
    selection.offer(candle(1));
    expect(selection.isSettled(2 * MINUTE)).toBe(false);
    selection.offer(candle(2));
    expect(selection.isSettled(3 * MINUTE)).toBe(true);
    expect(starts(selection)).toEqual([1, 2]);
  });

  it('without `from`, keeps the latest `limit` before `to` and starts reading just early enough', () => {
    const selection = new CandleSelection(
      {
        instrument: 'BTC/USDT',
        intervalMicros: MINUTE,
        toMicros: 50 * MINUTE,
        limit: 3,
      },
      GRACE,
    );
    expect(selection.readStartMicros).toBe(46 * MINUTE);
    for (let minute = 44; minute <= 50; minute += 1) selection.offer(candle(minute));
    expect(starts(selection)).toEqual([47, 48, 49]);
  });

  it('counts a candle published twice for one start once', () => {
    const selection = new CandleSelection(
      {
        instrument: 'BTC/USDT',
        intervalMicros: MINUTE,
        fromMicros: 0,
        toMicros: 100 * MINUTE,
        limit: 10,
      },
      GRACE,
    );
    selection.offer(candle(1));
    selection.offer(candle(1, { close: 1 }));
    expect(selection.candles()).toEqual([candle(1)]);
  });

  it('is settled when the stream has moved a minute past the last candle the window can hold', () => {
    const selection = new CandleSelection(
      {
        instrument: 'BTC/USDT',
        intervalMicros: MINUTE,
        toMicros: 10 * MINUTE,
        limit: 5,
      },
      GRACE,
    );
    expect(selection.isSettled(12 * MINUTE)).toBe(false);
    expect(selection.isSettled(12 * MINUTE + 1)).toBe(true);
  });
});
