import { describe, expect, it } from 'vitest';
import { applyFill, Dec, FLAT, type Position } from './average-cost.js';

/** Applies signed fills `[amount, price]` in order; returns each fill's realized P&L and the last position. */
function run(fills: [string, string][]): { realized: string[]; position: Position } {
  let position = FLAT;
  const realized: string[] = [];
  for (const [amount, price] of fills) {
    const step = applyFill(position, new Dec(amount), new Dec(price));
    position = step.position;
    realized.push(step.realized.toFixed());
  }
  return { realized, position };
}

describe('applyFill (average cost)', () => {
  it('averages the cost of fills in the direction of the position and realizes a partial close', () => {
    const { realized, position } = run([
      ['2', '100'],
      ['1', '130'],
      ['-1', '120'],
    ]);
    expect(realized).toEqual(['0', '0', '10']);
    expect(position.size.toFixed()).toBe('2');
    expect(position.averageCost.toFixed()).toBe('110');
  });

  it('opens a short at the fill price when a sell goes past flat, and realizes its cover', () => {
    const { realized, position } = run([
      ['2', '110'],
      ['-3', '105'],
      ['0.5', '100'],
    ]);
    // 2 closed at a loss of 5 each; then the short of 1 from 105 is half covered at 100.
    expect(realized).toEqual(['0', '-10', '2.5']);
    expect(position.size.toFixed()).toBe('-0.5');
    expect(position.averageCost.toFixed()).toBe('105');
  });

  it('averages a growing short and opens a long when a buy goes past flat', () => {
    const { realized, position } = run([
      ['-0.5', '105'],
      ['-0.5', '95'],
      ['3', '90'],
    ]);
    expect(realized).toEqual(['0', '0', '10']);
    expect(position.size.toFixed()).toBe('2');
    expect(position.averageCost.toFixed()).toBe('90');
  });

  it('returns to flat with no cost left when a fill closes exactly', () => {
    const { realized, position } = run([
      ['-1', '50'],
      ['1', '60'],
    ]);
    expect(realized).toEqual(['0', '-10']);
    expect(position.size.isZero()).toBe(true);
    expect(position.averageCost.isZero()).toBe(true);
  });
});
