export { pointCcxtAt, type CcxtEndpoints } from './ccxt/point-ccxt-at.js';

export { VenueError, isVenueError, type VenueErrorOptions } from './adapter/venue-error.js';
export {
  nowMicros,
  type OrderSide,
  type OrderKind,
  type TimeInForce,
  type VenueOrderStatus,
  type VenueOrder,
  type VenueFill,
  type VenueBalance,
  type BalanceSnapshot,
  type VenuePosition,
  type DepositAddress,
  type VenueDeposit,
  type VenueInstrument,
  type TransferResult,
  type MarketTick,
  type MarketTrade,
  type BookDelta,
} from './adapter/venue-types.js';
export type { VenueAdapter } from './adapter/venue-adapter.js';
export type {
  CreateOrderRequest,
  CreateOrderOperation,
} from './adapter/operations/create-order.operation.js';
export type {
  CancelOrderRequest,
  CancelOrderOperation,
} from './adapter/operations/cancel-order.operation.js';
export type { EditOrderRequest, EditOrderOperation } from './adapter/operations/edit-order.operation.js';
export type { FetchOrderRequest, FetchOrderOperation } from './adapter/operations/fetch-order.operation.js';
export type {
  FetchOpenOrdersRequest,
  FetchOpenOrdersOperation,
} from './adapter/operations/fetch-open-orders.operation.js';
export type {
  FetchMyTradesRequest,
  FetchMyTradesOperation,
} from './adapter/operations/fetch-my-trades.operation.js';
export type {
  FetchBalanceRequest,
  FetchBalanceOperation,
} from './adapter/operations/fetch-balance.operation.js';
export type {
  FetchPositionsRequest,
  FetchPositionsOperation,
} from './adapter/operations/fetch-positions.operation.js';
export type { TransferRequest, TransferOperation } from './adapter/operations/transfer.operation.js';
export type {
  FetchDepositAddressRequest,
  FetchDepositAddressOperation,
} from './adapter/operations/fetch-deposit-address.operation.js';
export type {
  FetchDepositsRequest,
  FetchDepositsOperation,
} from './adapter/operations/fetch-deposits.operation.js';
export type {
  FetchInstrumentsRequest,
  FetchInstrumentsOperation,
} from './adapter/operations/fetch-instruments.operation.js';
export type {
  SimulateDepositRequest,
  SimulateDepositOperation,
} from './adapter/operations/simulate-deposit.operation.js';
export type {
  MarketDataSink,
  MarketDataFeed,
  FeedEnd,
  WatchMarketDataOperation,
} from './adapter/operations/watch-market-data.operation.js';
export type {
  ExecutionSink,
  ExecutionFeed,
  WatchOwnOrdersOperation,
} from './adapter/operations/watch-own-orders.operation.js';

export { CcxtVenueAdapter } from './ccxt/ccxt-venue-adapter.js';
export type { CcxtThrottle, CcxtVenueConfig } from './ccxt/ccxt-venue-config.js';
export { CcxtMarketDataFeed } from './ccxt/operations/watch-market-data.operation.js';
export { CcxtExecutionFeed } from './ccxt/operations/watch-own-orders.operation.js';
export { mapCcxtError } from './ccxt/ccxt-error-map.js';
export { createCcxtExchange, defaultOptionsFor } from './ccxt/ccxt-exchange-factory.js';

export { PaperVenueAdapter, type PaperVenueAdapterOptions } from './paper/paper-venue-adapter.js';
export {
  PaperVenue,
  DEFAULT_PAPER_INSTRUMENTS,
  DEFAULT_PAPER_BALANCES,
  type PaperInstrument,
  type PaperVenueOptions,
} from './paper/paper-venue.js';
export { PaperMarketDataFeed, type PaperMarketDataOptions } from './paper/paper-market-data-feed.js';
export { PaperExecutionFeed } from './paper/paper-execution-feed.js';
export { mapPaperError } from './paper/paper-error-map.js';
