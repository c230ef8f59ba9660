// Which closed candles of a slot's stream answer one query: the instrument's, of the interval, in range,
// oldest first and at most `limit` — the first ones from `from`, or the latest ones without it.
import type { CandleV1 } from '@tm/contracts';

export interface CandleWindow {
  instrument: string;
  intervalMicros: number;
  /** Candle start, inclusive; absent: the latest `limit` candles before `toMicros`. */
  fromMicros?: number;
  /** Candle start, exclusive. */
  toMicros: number;
  limit: number;
}

export class CandleSelection {
  private readonly kept: CandleV1[] = [];
  private readonly starts = new Set<number>();

  constructor(
    private readonly window: CandleWindow,
    /** A candle reaches the stream this long after it closes at most; a stream time past that ends the read. */
    private readonly publishGraceMicros: number,
  ) {}

  /**
   * Where the stream read starts, in microseconds: `from`, or early enough to hold the latest `limit`
   * candles (so a query for recent candles does not scan the whole day the stream keeps).
   */
  get readStartMicros(): number {
    const { fromMicros, toMicros, limit, intervalMicros } = this.window;
    return fromMicros ?? Math.max(0, toMicros - (limit + 1) * intervalMicros);
  }

  /** Offers one candle in stream order. */
  offer(candle: CandleV1): void {
    const { instrument, intervalMicros, fromMicros, toMicros, limit } = this.window;
    if (candle.instrument !== instrument || candle.intervalMicros !== intervalMicros) return;
    if (candle.start >= toMicros || (fromMicros !== undefined && candle.start < fromMicros)) return;
    // A candle published twice for one start (a redelivered publish) counts once.
    if (this.starts.has(candle.start)) return;
    this.starts.add(candle.start);
    this.kept.push(candle);
    // Without `from` the latest candles win, so the oldest gives way.
    if (fromMicros === undefined && this.kept.length > limit) this.kept.shift();
  }

  /** True when nothing read from here on can change the answer. */
  isSettled(streamTimeMicros: number): boolean {
    if (this.window.fromMicros !== undefined && this.kept.length >= this.window.limit) return true;
    return streamTimeMicros > this.window.toMicros + this.window.intervalMicros + this.publishGraceMicros;
  }

  /** Oldest first, by start. */
  candles(): CandleV1[] {
    return [...this.kept].sort((a, b) => a.start - b.start);
  }
}
