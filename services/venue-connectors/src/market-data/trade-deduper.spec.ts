import { describe, expect, it } from 'vitest';
import { TradeDeduper } from './trade-deduper.js';

describe('TradeDeduper', () => {
  it('passes a trade id once per instrument', () => {
    const dedupe = new TradeDeduper();
    expect(dedupe.firstSighting('BTC/USDT', '1')).toBe(true);
    expect(dedupe.firstSighting('BTC/USDT', '1')).toBe(false);
    expect(dedupe.firstSighting('ETH/USDT', '1')).toBe(true);
  });

  it('forgets the oldest ids beyond its capacity', () => {
    const dedupe = new TradeDeduper(2);
    for (const id of ['1', '2', '3']) dedupe.firstSighting('BTC/USDT', id);
    expect(dedupe.firstSighting('BTC/USDT', '3')).toBe(false);
    expect(dedupe.firstSighting('BTC/USDT', '1')).toBe(true);
  });
});
