/** Where the fills are read from; TradeHistoryModule.register() provides it. */
export interface TradeHistoryOptions {
  /** The schema venue-connectors runs in (its VENUE_CONNECTORS_SCHEMA; a service may not import another). */
  fillsSchema: string;
}

export const TRADE_HISTORY_OPTIONS = Symbol('TRADE_HISTORY_OPTIONS');

export const DEFAULT_TRADE_HISTORY_OPTIONS: TradeHistoryOptions = { fillsSchema: 'venue_connectors' };
