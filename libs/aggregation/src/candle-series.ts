// The open OHLCV candles of one instrument at one interval (usually one, two around a boundary).

export interface CandleState {
  start: number;
  open: number;
  /** tsEvent of the trades that set open and close: open is the earliest trade, close the latest. */
  openTs: number;
  high: number;
  low: number;
  close: number;
  closeTs: number;
  volume: number;
  /** Sum of price * amount, for VWAP. */
  turnover: number;
  trades: number;
}

export class CandleSeries {
  /** Open candles by start ascending. */
  readonly open: CandleState[] = [];

  constructor(readonly intervalMicros: number) {}

  /**
   * Adds a trade to its aligned candle unless that candle had already ended at `closedThrough` (the last tick()
   * time): a closed candle is never reopened, so the trade is late for this interval. Returns false when late.
   */
  add(price: number, amount: number, tsEvent: number, closedThrough: number): boolean {
    const start = tsEvent - (tsEvent % this.intervalMicros);
    if (start + this.intervalMicros <= closedThrough) return false;
    const candles = this.open;
    let i = candles.length - 1;
    while (i >= 0 && (candles[i] as CandleState).start > start) i--;
    const existing = i >= 0 ? candles[i] : undefined;
    if (existing !== undefined && existing.start === start) {
      if (tsEvent < existing.openTs) {
        existing.open = price;
        existing.openTs = tsEvent;
      }
      // >= so that of trades with one tsEvent the last to arrive closes the candle.
      if (tsEvent >= existing.closeTs) {
        existing.close = price;
        existing.closeTs = tsEvent;
      }
      if (price > existing.high) existing.high = price;
      if (price < existing.low) existing.low = price;
      existing.volume += amount;
      existing.turnover += price * amount;
      existing.trades++;
      return true;
    }
    candles.splice(i + 1, 0, {
      start,
      open: price,
      openTs: tsEvent,
      high: price,
      low: price,
      close: price,
      closeTs: tsEvent,
      volume: amount,
      turnover: price * amount,
      trades: 1,
    });
    return true;
  }

  /** Removes and returns the candles that have ended by `now` (start + interval <= now), oldest first. */
  closeUntil(now: number): CandleState[] {
    let n = 0;
    while (n < this.open.length && (this.open[n] as CandleState).start + this.intervalMicros <= now) n++;
    return n === 0 ? [] : this.open.splice(0, n);
  }

  /** The end of the earliest open candle, or null. */
  nextEnd(): number | null {
    const first = this.open[0];
    return first === undefined ? null : first.start + this.intervalMicros;
  }

  latest(): CandleState | undefined {
    return this.open[this.open.length - 1];
  }
}
