import { describe, expect, it } from 'vitest';
import { PushWindow } from './push-window.js';

describe('PushWindow', () => {
  it('emits at most once per window: the latest value of a state topic, every event of an event topic', () => {
    const w = new PushWindow({ windowMs: 100, maxPendingBytes: 10_000 });
    w.offerState('ticker/*/BTC/USDT', { bid: 1 }, 10);
    w.offerState('ticker/*/BTC/USDT', { bid: 2 }, 10);
    w.offerEvent('trades/binance/BTC/USDT', 1, 'a', 10);
    w.offerEvent('trades/binance/BTC/USDT', 2, 'b', 10);
    expect(w.pendingBytes).toBe(30);
    expect(w.take(1_000)).toEqual({
      states: [{ topic: 'ticker/*/BTC/USDT', value: { bid: 2 } }],
      events: [
        { topic: 'trades/binance/BTC/USDT', seq: 1, value: 'a' },
        { topic: 'trades/binance/BTC/USDT', seq: 2, value: 'b' },
      ],
      discontinuities: [],
    });
    w.offerEvent('trades/binance/BTC/USDT', 3, 'c', 10);
    expect(w.take(1_099)).toBeNull(); // the window has not passed
    expect(w.take(1_100)?.events.map((e) => e.seq)).toEqual([3]);
    expect(w.take(1_300)).toBeNull(); // nothing waits
  });

  it('never holds more than its cap: an overflowing event topic is cut with a discontinuity at the last whole sequence', () => {
    const w = new PushWindow({ windowMs: 100, maxPendingBytes: 100 });
    w.offerEvent('trades/x/A/B', 1, 1, 40);
    w.take(0);
    w.offerEvent('trades/x/A/B', 2, 2, 40);
    w.offerEvent('trades/x/A/B', 3, 3, 40);
    w.offerEvent('orders/x/acct', 9, 9, 10);
    expect(w.offerEvent('trades/x/A/B', 4, 4, 40)).toBe('overflow');
    expect(w.pendingBytes).toBeLessThanOrEqual(100);
    expect(w.offerEvent('trades/x/A/B', 5, 5, 1)).toBe('discontinued');
    const batch = w.take(100);
    // The client gets orders, and learns its trades copy is whole up to seq 1 only.
    expect(batch?.events).toEqual([{ topic: 'orders/x/acct', seq: 9, value: 9 }]);
    expect(batch?.discontinuities).toEqual([{ topic: 'trades/x/A/B', lastSeq: 1, reason: 'overflow' }]);
    // Reported once; the topic takes nothing until its gap is filled.
    w.offerEvent('trades/x/A/B', 6, 6, 1);
    expect(w.take(200)).toBeNull();
    w.resume('trades/x/A/B', 5);
    expect(w.offerEvent('trades/x/A/B', 6, 6, 1)).toBe('queued');
    expect(w.take(300)?.events.map((e) => e.seq)).toEqual([6]);
  });

  it('conflates state under pressure, cutting event topics to make room, and refuses a value larger than the cap', () => {
    const w = new PushWindow({ windowMs: 100, maxPendingBytes: 100 });
    w.offerEvent('logs/x/svc', 1, 'l1', 30);
    w.offerEvent('logs/x/svc', 2, 'l2', 30);
    expect(w.offerState('book/*/BTC/USDT', 'big', 60)).toBe(true);
    expect(w.pendingBytes).toBe(60);
    expect(w.offerState('book/*/BTC/USDT', 'bigger', 101)).toBe(false);
    expect(w.take(0)).toEqual({
      states: [{ topic: 'book/*/BTC/USDT', value: 'big' }],
      events: [],
      discontinuities: [{ topic: 'logs/x/svc', lastSeq: 0, reason: 'overflow' }],
    });
  });

  it('queues an event once when a backfill and the live feed both hold it', () => {
    const w = new PushWindow({ windowMs: 100, maxPendingBytes: 100 });
    expect(w.offerEvent('trades/*/A/B', 1, 'a', 10)).toBe('queued');
    expect(w.offerEvent('trades/*/A/B', 2, 'b', 10)).toBe('queued');
    expect(w.offerEvent('trades/*/A/B', 2, 'b', 10)).toBe('duplicate');
    expect(w.take(0)?.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(w.offerEvent('trades/*/A/B', 1, 'a', 10)).toBe('duplicate');
  });

  it('says when a resume cannot be filled, and goes on with the events it has', () => {
    const w = new PushWindow({ windowMs: 100, maxPendingBytes: 100 });
    w.markGap('trades/*/A/B', 7);
    expect(w.offerEvent('trades/*/A/B', 7, 'old', 1)).toBe('duplicate');
    expect(w.offerEvent('trades/*/A/B', 20, 'kept', 1)).toBe('queued');
    expect(w.take(0)).toEqual({
      states: [],
      events: [{ topic: 'trades/*/A/B', seq: 20, value: 'kept' }],
      discontinuities: [{ topic: 'trades/*/A/B', lastSeq: 7, reason: 'gap' }],
    });
  });

  it('forgets an unwatched topic and its bytes', () => {
    const w = new PushWindow({ windowMs: 100, maxPendingBytes: 100 });
    w.offerState('ticker/*/A/B', 1, 20);
    w.offerEvent('trades/*/A/B', 1, 1, 20);
    w.drop('trades/*/A/B');
    expect(w.pendingBytes).toBe(20);
    expect(w.take(0)?.events).toEqual([]);
  });
});
