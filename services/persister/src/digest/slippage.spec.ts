import { describe, expect, it } from 'vitest';
import { Dec } from '@tm/ledger';
import { OrderReferences, slippageOf } from './slippage.js';

describe('slippageOf', () => {
  it('counts a buy above or a sell below the reference as a cost, the other way as an improvement', () => {
    expect(slippageOf('buy', new Dec('101'), new Dec('2'), new Dec('100')).toFixed()).toBe('2');
    expect(slippageOf('buy', new Dec('99.5'), new Dec('2'), new Dec('100')).toFixed()).toBe('-1');
    expect(slippageOf('sell', new Dec('99'), new Dec('0.5'), new Dec('100')).toFixed()).toBe('0.5');
    expect(slippageOf('sell', new Dec('100.1'), new Dec('3'), new Dec('100')).toFixed()).toBe('-0.3');
  });
});

describe('OrderReferences', () => {
  it('takes the limit price when the order has one', () => {
    const references = new OrderReferences();
    expect(references.referenceOf('o1', '100.5', new Dec('100')).toFixed()).toBe('100.5');
    expect(references.referenceOf('o1', '100.5', new Dec('101')).toFixed()).toBe('100.5');
  });

  it("takes a market order's first fill price for every later fill of it, per order", () => {
    const references = new OrderReferences();
    expect(references.referenceOf('m1', null, new Dec('200')).toFixed()).toBe('200');
    expect(references.referenceOf('m2', null, new Dec('300')).toFixed()).toBe('300');
    expect(references.referenceOf('m1', null, new Dec('201')).toFixed()).toBe('200');
    expect(references.referenceOf('m2', null, new Dec('299')).toFixed()).toBe('300');
  });
});
