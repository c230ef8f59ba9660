/** How a CcxtVenueAdapter reaches one venue account. */
export interface CcxtVenueConfig {
  /** Any ccxt exchange id ('binance', 'bybit', 'okx', …); ccxt.pro's class when it has one. */
  exchangeId: string;
  credentials?: { apiKey: string; secret: string; password?: string };
  /** Override base URL (http(s)://host:port): every REST and websocket URL is pointed there. */
  apiUrl?: string;
  /** ccxt's own leaky-bucket limiter; off by default because the platform budgets requests itself. */
  enableRateLimit?: boolean;
  /** Merged over the adapter's defaults into ccxt's `options`. */
  options?: Record<string, unknown>;
  defaultType?: 'spot' | 'swap';
  /** ccxt's per-request timeout, ms (ccxt's default 10 000); a timed-out order is AMBIGUOUS. */
  timeoutMs?: number;
  /**
   * The venue account these credentials belong to (Binance: the master's email). Sub-account
   * transfers omit it on the wire, since venues take "no email" to mean the master.
   */
  accountId?: string;
  /** REST polling period where the venue has no websocket for a stream, ms (default 1000). */
  pollIntervalMs?: number;
  /** Depth requested for order books (venue default when absent). */
  bookDepth?: number;
  /** A market data feed with subscriptions and no message for this long ends as 'idle' (0 = off). */
  feedIdleMs?: number;
  /**
   * The platform's shared budget: awaited before every market-data request, and told of every 429/418
   * so all replicas back off. Absent, only ccxt's own limiter applies.
   */
  throttle?: CcxtThrottle;
}

export interface CcxtThrottle {
  data(): Promise<unknown>;
  rateLimited(retryAfterMs: number | undefined): Promise<unknown> | unknown;
}
