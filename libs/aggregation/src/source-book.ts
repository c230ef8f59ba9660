// One source's depth of market: parallel sorted arrays (bids descending, asks ascending), capped at maxLevels.

export type BookLevel = readonly [price: number, size: number];

/** One side: binary search for O(log n) lookup; splice moves at most maxLevels numbers. */
export class BookSide {
  readonly prices: number[] = [];
  readonly sizes: number[] = [];

  constructor(
    private readonly descending: boolean,
    private readonly maxLevels: number,
  ) {}

  get length(): number {
    return this.prices.length;
  }

  /** Sets a level; size 0 removes it. A new level beyond maxLevels is not kept. */
  set(price: number, size: number): void {
    const prices = this.prices;
    let lo = 0;
    let hi = prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = prices[mid] as number;
      if (this.descending ? p > price : p < price) lo = mid + 1;
      else hi = mid;
    }
    if (lo < prices.length && prices[lo] === price) {
      if (size === 0) {
        prices.splice(lo, 1);
        this.sizes.splice(lo, 1);
      } else {
        this.sizes[lo] = size;
      }
      return;
    }
    if (size === 0 || lo >= this.maxLevels) return;
    prices.splice(lo, 0, price);
    this.sizes.splice(lo, 0, size);
    if (prices.length > this.maxLevels) {
      prices.pop();
      this.sizes.pop();
    }
  }

  clear(): void {
    this.prices.length = 0;
    this.sizes.length = 0;
  }

  levels(): [number, number][] {
    return this.prices.map((price, i) => [price, this.sizes[i] as number]);
  }
}

export class SourceBook {
  readonly bids: BookSide;
  readonly asks: BookSide;

  constructor(maxLevels: number) {
    this.bids = new BookSide(true, maxLevels);
    this.asks = new BookSide(false, maxLevels);
  }

  apply(bids: readonly BookLevel[], asks: readonly BookLevel[]): void {
    for (const [price, size] of bids) this.bids.set(price, size);
    for (const [price, size] of asks) this.asks.set(price, size);
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  /** Locked (bid == ask) counts as crossed. */
  isCrossed(): boolean {
    return (
      this.bids.length > 0 &&
      this.asks.length > 0 &&
      (this.bids.prices[0] as number) >= (this.asks.prices[0] as number)
    );
  }

  isEmpty(): boolean {
    return this.bids.length === 0 && this.asks.length === 0;
  }
}
