import { describe, expect, it } from 'vitest';
import { SourceBook } from './source-book.js';

describe('SourceBook', () => {
  it('keeps bids descending and asks ascending, removes size-0 levels and caps the depth', () => {
    const book = new SourceBook(3);
    book.apply(
      [
        [99, 1],
        [101, 2],
        [100, 3],
        [98, 4],
      ],
      [
        [103, 1],
        [102, 2],
      ],
    );
    expect(book.bids.levels()).toEqual([
      [101, 2],
      [100, 3],
      [99, 1],
    ]);
    expect(book.asks.levels()).toEqual([
      [102, 2],
      [103, 1],
    ]);
    book.apply(
      [
        [100, 0],
        [99, 5],
        [97, 1],
      ],
      [[102, 0]],
    );
    expect(book.bids.levels()).toEqual([
      [101, 2],
      [99, 5],
      [97, 1],
    ]);
    expect(book.asks.levels()).toEqual([[103, 1]]);
    expect(book.isCrossed()).toBe(false);
    book.apply([[103, 1]], []);
    expect(book.isCrossed()).toBe(true);
  });
});
