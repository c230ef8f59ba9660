export type MarketApiErrorCode = 'NO_MARKET_DATA' | 'MARKET_DATA_UNAVAILABLE' | 'UPSTREAM_REFUSED';

/** A refusal of the market API; MarketApiExceptionFilter maps the code to an HTTP status. */
export class MarketApiError extends Error {
  constructor(
    readonly code: MarketApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MarketApiError';
  }
}
