/** How the market API waits on the fleet; MarketApiModule.register() provides it. */
export interface MarketApiOptions {
  /** How long a snapshot request waits for the slot's aggregator before answering 503. */
  snapshotTimeoutMs: number;
  /** How long one read of the MD stream waits for the next batch of candles before it stops. */
  candleFetchWaitMs: number;
  /**
   * The aggregator publishes a candle when it closes; one arriving later than this after its close is not
   * waited for, so a read for an early `to` stops there instead of scanning the rest of the day.
   */
  candlePublishGraceMs: number;
}

export const MARKET_API_OPTIONS = Symbol('MARKET_API_OPTIONS');

export const DEFAULT_MARKET_API_OPTIONS: MarketApiOptions = {
  snapshotTimeoutMs: 2_000,
  candleFetchWaitMs: 1_000,
  candlePublishGraceMs: 60_000,
};
