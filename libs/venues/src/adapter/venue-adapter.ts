import type { CancelOrderOperation } from './operations/cancel-order.operation.js';
import type { CreateOrderOperation } from './operations/create-order.operation.js';
import type { EditOrderOperation } from './operations/edit-order.operation.js';
import type { FetchBalanceOperation } from './operations/fetch-balance.operation.js';
import type { FetchDepositAddressOperation } from './operations/fetch-deposit-address.operation.js';
import type { FetchDepositsOperation } from './operations/fetch-deposits.operation.js';
import type { FetchInstrumentsOperation } from './operations/fetch-instruments.operation.js';
import type { FetchMyTradesOperation } from './operations/fetch-my-trades.operation.js';
import type { FetchOpenOrdersOperation } from './operations/fetch-open-orders.operation.js';
import type { FetchOrderOperation } from './operations/fetch-order.operation.js';
import type { FetchPositionsOperation } from './operations/fetch-positions.operation.js';
import type { SimulateDepositOperation } from './operations/simulate-deposit.operation.js';
import type { TransferOperation } from './operations/transfer.operation.js';
import type { WatchMarketDataOperation } from './operations/watch-market-data.operation.js';
import type { WatchOwnOrdersOperation } from './operations/watch-own-orders.operation.js';

/**
 * One venue account as the platform sees it. Every failure rejects with a VenueError; instruments
 * are ccxt unified symbols ('BTC/USDT'); decimals are strings and times microseconds.
 * `simulateDeposit` is optional: only simulated venues have it.
 */
export interface VenueAdapter
  extends
    CreateOrderOperation,
    CancelOrderOperation,
    EditOrderOperation,
    FetchOrderOperation,
    FetchOpenOrdersOperation,
    FetchMyTradesOperation,
    FetchBalanceOperation,
    FetchPositionsOperation,
    TransferOperation,
    FetchDepositAddressOperation,
    FetchDepositsOperation,
    FetchInstrumentsOperation,
    SimulateDepositOperation,
    WatchMarketDataOperation,
    WatchOwnOrdersOperation {
  readonly venue: string;
  /** Loads the venue's markets; rejects with VenueError VENUE_UNAVAILABLE when it cannot. */
  connect(): Promise<void>;
  /** Unified symbols the venue lists (after connect). */
  instruments(): string[];
  /** The venue's clock, micros. */
  fetchServerTime(): Promise<number>;
  close(): Promise<void>;
}
