import http from 'node:http';
import type { Exchange } from 'ccxt';
import type { CancelOrderRequest } from '../adapter/operations/cancel-order.operation.js';
import type { CreateOrderRequest } from '../adapter/operations/create-order.operation.js';
import type { EditOrderRequest } from '../adapter/operations/edit-order.operation.js';
import type { FetchDepositAddressRequest } from '../adapter/operations/fetch-deposit-address.operation.js';
import type { FetchDepositsRequest } from '../adapter/operations/fetch-deposits.operation.js';
import type { FetchMyTradesRequest } from '../adapter/operations/fetch-my-trades.operation.js';
import type { FetchOpenOrdersRequest } from '../adapter/operations/fetch-open-orders.operation.js';
import type { FetchOrderRequest } from '../adapter/operations/fetch-order.operation.js';
import type { FetchPositionsRequest } from '../adapter/operations/fetch-positions.operation.js';
import type { TransferRequest } from '../adapter/operations/transfer.operation.js';
import type { MarketDataFeed, MarketDataSink } from '../adapter/operations/watch-market-data.operation.js';
import type { ExecutionSink } from '../adapter/operations/watch-own-orders.operation.js';
import { VenueError } from '../adapter/venue-error.js';
import type { VenueAdapter } from '../adapter/venue-adapter.js';
import type {
  BalanceSnapshot,
  DepositAddress,
  TransferResult,
  VenueDeposit,
  VenueFill,
  VenueInstrument,
  VenueOrder,
  VenuePosition,
} from '../adapter/venue-types.js';
import { CcxtContext } from './ccxt-context.js';
import { createCcxtExchange } from './ccxt-exchange-factory.js';
import { mapCcxtError } from './ccxt-error-map.js';
import type { CcxtVenueConfig } from './ccxt-venue-config.js';
import { ccxtCancelOrder } from './operations/cancel-order.operation.js';
import { ccxtCreateOrder } from './operations/create-order.operation.js';
import { ccxtEditOrder } from './operations/edit-order.operation.js';
import { ccxtFetchBalance } from './operations/fetch-balance.operation.js';
import { ccxtFetchDepositAddress } from './operations/fetch-deposit-address.operation.js';
import { ccxtFetchDeposits } from './operations/fetch-deposits.operation.js';
import { ccxtFetchInstruments } from './operations/fetch-instruments.operation.js';
import { ccxtFetchMyTrades } from './operations/fetch-my-trades.operation.js';
import { ccxtFetchOpenOrders } from './operations/fetch-open-orders.operation.js';
import { ccxtFetchOrder } from './operations/fetch-order.operation.js';
import { ccxtFetchPositions } from './operations/fetch-positions.operation.js';
import { ccxtTransfer } from './operations/transfer.operation.js';
import { ccxtWatchMarketData } from './operations/watch-market-data.operation.js';
import { ccxtWatchOwnOrders, type CcxtExecutionFeed } from './operations/watch-own-orders.operation.js';

/**
 * A venue account through ccxt: one instance for market data and one for execution, so an order
 * never queues behind book fetches in ccxt's per-instance limiter or connection pool. Serves one
 * live market-data feed and one live execution feed at a time (a new one after the old ended).
 * A real venue cannot simulate a deposit: no `simulateDeposit`, so venue RPC answers UNSUPPORTED.
 */
export class CcxtVenueAdapter implements VenueAdapter {
  readonly venue: string;
  private readonly ctx: CcxtContext;

  constructor(config: CcxtVenueConfig, venue?: string) {
    this.venue = venue ?? config.exchangeId;
    this.ctx = new CcxtContext(this.venue, config, createCcxtExchange(config), createCcxtExchange(config));
  }

  /** The ccxt instances, for diagnostics and tests (never for trading around the adapter). */
  get exchanges(): { data: Exchange; execution: Exchange } {
    return { data: this.ctx.data, execution: this.ctx.execution };
  }

  async connect(): Promise<void> {
    const { data, execution } = this.ctx;
    try {
      await data.loadMarkets();
      // One exchangeInfo for both instances.
      execution.setMarketsFromExchange(data);
    } catch (error) {
      const mapped = mapCcxtError(error, data, { operation: `${this.venue} connect`, mutating: false });
      throw new VenueError('VENUE_UNAVAILABLE', mapped.message, { cause: error });
    }
  }

  instruments(): string[] {
    return [...(this.ctx.data.symbols ?? [])];
  }

  async fetchServerTime(): Promise<number> {
    const ex = this.ctx.data;
    const ms = await this.ctx.call('fetchTime', false, ex, () => ex.fetchTime());
    if (typeof ms !== 'number') throw new VenueError('VENUE_UNAVAILABLE', `${this.venue}: no server time`);
    return ms * 1000;
  }

  fetchInstruments(): Promise<VenueInstrument[]> {
    return ccxtFetchInstruments(this.ctx);
  }

  createOrder(request: CreateOrderRequest): Promise<VenueOrder> {
    return ccxtCreateOrder(this.ctx, request);
  }

  cancelOrder(request: CancelOrderRequest): Promise<VenueOrder> {
    return ccxtCancelOrder(this.ctx, request);
  }

  editOrder(request: EditOrderRequest): Promise<VenueOrder> {
    return ccxtEditOrder(this.ctx, request);
  }

  fetchOrder(request: FetchOrderRequest): Promise<VenueOrder> {
    return ccxtFetchOrder(this.ctx, request);
  }

  fetchOpenOrders(request: FetchOpenOrdersRequest): Promise<VenueOrder[]> {
    return ccxtFetchOpenOrders(this.ctx, request);
  }

  fetchMyTrades(request: FetchMyTradesRequest): Promise<VenueFill[]> {
    return ccxtFetchMyTrades(this.ctx, request);
  }

  fetchBalance(): Promise<BalanceSnapshot> {
    return ccxtFetchBalance(this.ctx);
  }

  fetchPositions(request: FetchPositionsRequest): Promise<VenuePosition[]> {
    return ccxtFetchPositions(this.ctx, request);
  }

  transfer(request: TransferRequest): Promise<TransferResult> {
    return ccxtTransfer(this.ctx, request);
  }

  fetchDepositAddress(request: FetchDepositAddressRequest): Promise<DepositAddress> {
    return ccxtFetchDepositAddress(this.ctx, request);
  }

  fetchDeposits(request: FetchDepositsRequest): Promise<VenueDeposit[]> {
    return ccxtFetchDeposits(this.ctx, request);
  }

  watchMarketData(sink: MarketDataSink): MarketDataFeed {
    return ccxtWatchMarketData(this.ctx, sink);
  }

  watchOwnOrders(sink: ExecutionSink): CcxtExecutionFeed {
    return ccxtWatchOwnOrders(this.ctx, sink);
  }

  async close(): Promise<void> {
    const { data, execution } = this.ctx;
    await Promise.all([data.close(), execution.close()]);
    // pointCcxtAt's keep-alive agents would otherwise hold idle sockets open.
    for (const ex of [data, execution]) {
      const agent: unknown = (ex as unknown as Record<string, unknown>)['agent'];
      if (agent instanceof http.Agent) agent.destroy();
    }
  }
}
