// One instrument's book: price levels sorted best-last (so the best level pops in O(1)), each a FIFO
// doubly-linked list of resting orders (cancel is O(1) once the order is found).
import { Dec, ZERO } from './decimal.js';
import type { Side } from './exchange-types.js';
import type { OrderState } from './order-state.js';

export interface PriceLevel {
  readonly side: Side;
  readonly price: Dec;
  /** Canonical price string, the level's key. */
  readonly key: string;
  amount: Dec;
  head: OrderState | null;
  tail: OrderState | null;
  /** Depth-update bookkeeping: the engine operation that last touched it and its amount before. */
  touchedIn: number;
  amountBefore: Dec;
}

/** Where a removed order sat, so an aborted cancel-replace can put it back exactly. */
export interface Unlinked {
  order: OrderState;
  level: PriceLevel;
  prev: OrderState | null;
  next: OrderState | null;
  levelIndex: number;
}

export class BookSide {
  /** Sorted worst first, best last. */
  readonly levels: PriceLevel[] = [];
  private readonly byKey = new Map<string, PriceLevel>();

  constructor(readonly side: Side) {}

  best(): PriceLevel | undefined {
    return this.levels[this.levels.length - 1];
  }

  get(key: string): PriceLevel | undefined {
    return this.byKey.get(key);
  }

  /** True when price a ranks better than b on this side. */
  better(a: Dec, b: Dec): boolean {
    return this.side === 'buy' ? a.gt(b) : a.lt(b);
  }

  getOrCreate(price: Dec, key: string): PriceLevel {
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const level: PriceLevel = {
      side: this.side,
      price,
      key,
      amount: ZERO,
      head: null,
      tail: null,
      touchedIn: -1,
      amountBefore: ZERO,
    };
    this.insertLevel(level, this.insertionIndex(price));
    return level;
  }

  insertLevel(level: PriceLevel, index: number): void {
    if (index === this.levels.length) this.levels.push(level);
    else this.levels.splice(index, 0, level);
    this.byKey.set(level.key, level);
  }

  /** Index of the level in the sorted array (binary search). */
  indexOf(level: PriceLevel): number {
    const top = this.levels.length - 1;
    if (this.levels[top] === level) return top;
    const index = this.insertionIndex(level.price) - 1;
    return this.levels[index] === level ? index : -1;
  }

  removeLevel(level: PriceLevel): number {
    const index = this.indexOf(level);
    if (index === this.levels.length - 1) this.levels.pop();
    else if (index >= 0) this.levels.splice(index, 1);
    this.byKey.delete(level.key);
    return index;
  }

  /** First index whose level ranks better than price (levels ascending by rank). */
  private insertionIndex(price: Dec): number {
    let low = 0;
    let high = this.levels.length;
    const top = this.levels[high - 1];
    if (top === undefined || this.better(price, top.price)) return high;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const level = this.levels[mid] as PriceLevel;
      if (this.better(level.price, price)) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}

export class OrderBook {
  readonly bids = new BookSide('buy');
  readonly asks = new BookSide('sell');
  /** Last depth update id (per instrument, consecutive). */
  updateId = 0;
  /** Levels changed by the current engine operation. */
  touched: PriceLevel[] = [];

  constructor(readonly instrument: string) {}

  sideOf(side: Side): BookSide {
    return side === 'buy' ? this.bids : this.asks;
  }

  opposite(side: Side): BookSide {
    return side === 'buy' ? this.asks : this.bids;
  }

  /** Records the level's amount before this operation changed it, once per operation. */
  touch(level: PriceLevel, operation: number): void {
    if (level.touchedIn === operation) return;
    level.touchedIn = operation;
    level.amountBefore = level.amount;
    this.touched.push(level);
  }

  /** Appends a resting order at the back of its price level's queue. */
  rest(order: OrderState, price: Dec, key: string, operation: number): void {
    const side = this.sideOf(order.side);
    const level = side.getOrCreate(price, key);
    this.touch(level, operation);
    order.level = level;
    order.prev = level.tail;
    order.next = null;
    if (level.tail) level.tail.next = order;
    else level.head = order;
    level.tail = order;
    level.amount = level.amount.add(order.remaining);
  }

  /** Reduces a resting order's level amount after a fill of `amount`. */
  reduce(order: OrderState, amount: Dec, operation: number): void {
    const level = order.level as PriceLevel;
    this.touch(level, operation);
    level.amount = level.amount.sub(amount);
  }

  /** Takes a resting order out of its level (and the level out of the book when it empties). */
  unlink(order: OrderState, operation: number): Unlinked | null {
    const level = order.level;
    if (level === null) return null;
    this.touch(level, operation);
    const unlinked: Unlinked = { order, level, prev: order.prev, next: order.next, levelIndex: -1 };
    if (order.prev) order.prev.next = order.next;
    else level.head = order.next;
    if (order.next) order.next.prev = order.prev;
    else level.tail = order.prev;
    level.amount = level.amount.sub(order.remaining);
    order.level = null;
    order.prev = null;
    order.next = null;
    if (level.head === null) {
      level.amount = ZERO;
      unlinked.levelIndex = this.sideOf(level.side).removeLevel(level);
    }
    return unlinked;
  }

  /** Puts an unlinked order back exactly where it was (nothing else changed in between). */
  relink(unlinked: Unlinked): void {
    const { order, level, prev, next } = unlinked;
    if (unlinked.levelIndex >= 0) this.sideOf(level.side).insertLevel(level, unlinked.levelIndex);
    order.level = level;
    order.prev = prev;
    order.next = next;
    if (prev) prev.next = order;
    else level.head = order;
    if (next) next.prev = order;
    else level.tail = order;
    level.amount = level.amount.add(order.remaining);
  }
}
