import type { OrderRef, PaperExchange } from '@tm/matching';
import type { CancelOrderRequest } from '../adapter/operations/cancel-order.operation.js';
import type { CreateOrderRequest } from '../adapter/operations/create-order.operation.js';
import type { EditOrderRequest } from '../adapter/operations/edit-order.operation.js';
import type { FetchDepositAddressRequest } from '../adapter/operations/fetch-deposit-address.operation.js';
import type { FetchDepositsRequest } from '../adapter/operations/fetch-deposits.operation.js';
import type { FetchMyTradesRequest } from '../adapter/operations/fetch-my-trades.operation.js';
import type { FetchOpenOrdersRequest } from '../adapter/operations/fetch-open-orders.operation.js';
import type { FetchOrderRequest } from '../adapter/operations/fetch-order.operation.js';
import type { FetchPositionsRequest } from '../adapter/operations/fetch-positions.operation.js';
import type { SimulateDepositRequest } from '../adapter/operations/simulate-deposit.operation.js';
import type { TransferRequest } from '../adapter/operations/transfer.operation.js';
import type { MarketDataSink } from '../adapter/operations/watch-market-data.operation.js';
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
import { mapPaperError } from './paper-error-map.js';
import { PaperExecutionFeed } from './paper-execution-feed.js';
import { PaperMarketDataFeed, type PaperMarketDataOptions } from './paper-market-data-feed.js';
import { paperBalance, paperDeposit, paperFill, paperInstrument, paperOrder } from './paper-normalise.js';

export interface PaperVenueAdapterOptions extends PaperMarketDataOptions {
  exchange: PaperExchange;
  /** The account at the paper exchange this adapter trades for. */
  account: string;
  /** Default 'paper'. */
  venue?: string;
  /** Server time, micros; default Date.now()*1000. */
  clock?: () => number;
}

/** One account of an in-process PaperExchange, behind the same interface as a real venue. */
export class PaperVenueAdapter implements VenueAdapter {
  readonly venue: string;
  readonly account: string;
  private readonly exchange: PaperExchange;
  private readonly clock: () => number;

  constructor(private readonly options: PaperVenueAdapterOptions) {
    this.exchange = options.exchange;
    this.account = options.account;
    this.venue = options.venue ?? 'paper';
    this.clock = options.clock ?? (() => Date.now() * 1000);
  }

  async connect(): Promise<void> {}

  instruments(): string[] {
    return this.exchange.instruments().map((spec) => spec.symbol);
  }

  async fetchServerTime(): Promise<number> {
    return this.clock();
  }

  async fetchInstruments(): Promise<VenueInstrument[]> {
    return this.exchange.instruments().map(paperInstrument);
  }

  async createOrder(request: CreateOrderRequest): Promise<VenueOrder> {
    return this.run('createOrder', () => {
      const { order } = this.exchange.placeOrder(this.account, {
        instrument: request.instrument,
        side: request.side,
        type: request.kind,
        amount: request.amount,
        ...(request.kind === 'limit'
          ? {
              ...(request.price === undefined ? {} : { price: request.price }),
              timeInForce: request.timeInForce ?? 'GTC',
            }
          : {}),
        clientOrderId: request.clientOrderId,
      });
      return paperOrder(order);
    });
  }

  async cancelOrder(request: CancelOrderRequest): Promise<VenueOrder> {
    return this.run('cancelOrder', () =>
      paperOrder(this.exchange.cancelOrder(this.account, request.instrument, orderRef(request))),
    );
  }

  async editOrder(request: EditOrderRequest): Promise<VenueOrder> {
    return this.run('editOrder', () => {
      const ref = orderRef(request);
      const old = this.exchange.getOrder(this.account, request.instrument, ref);
      const { placed } = this.exchange.cancelReplace(this.account, ref, {
        instrument: request.instrument,
        side: old.side,
        type: 'limit',
        amount: request.amount,
        price: request.price,
        timeInForce: old.timeInForce,
        clientOrderId: request.clientOrderId,
      });
      return paperOrder(placed.order);
    });
  }

  async fetchOrder(request: FetchOrderRequest): Promise<VenueOrder> {
    return this.run('fetchOrder', () =>
      paperOrder(this.exchange.getOrder(this.account, request.instrument, orderRef(request))),
    );
  }

  async fetchOpenOrders(request: FetchOpenOrdersRequest): Promise<VenueOrder[]> {
    return this.run('fetchOpenOrders', () =>
      this.exchange.openOrders(this.account, request.instrument).map(paperOrder),
    );
  }

  async fetchMyTrades(request: FetchMyTradesRequest): Promise<VenueFill[]> {
    return this.run('fetchMyTrades', () =>
      this.exchange
        .accountTrades(this.account, {
          instrument: request.instrument,
          ...(request.since === undefined ? {} : { since: request.since }),
          ...(request.limit === undefined ? {} : { limit: request.limit }),
        })
        .map(paperFill),
    );
  }

  async fetchBalance(): Promise<BalanceSnapshot> {
    return this.run('fetchBalance', () => ({
      balances: this.exchange
        .balances(this.account)
        .map(paperBalance)
        .sort((a, b) => a.currency.localeCompare(b.currency)),
      freeMargin: null,
      leverage: null,
      tsEvent: this.clock(),
    }));
  }

  /** The paper venue is spot only. */
  async fetchPositions(_request: FetchPositionsRequest): Promise<VenuePosition[]> {
    return [];
  }

  async transfer(request: TransferRequest): Promise<TransferResult> {
    return this.run('transfer', () => {
      const transfer = this.exchange.transfer(
        request.fromAccount,
        request.toAccount,
        request.currency,
        request.amount,
      );
      return {
        transferId: transfer.transferId,
        currency: transfer.currency,
        amount: transfer.amount,
        from: transfer.from,
        to: transfer.to,
        tsEvent: transfer.time,
      };
    });
  }

  async fetchDepositAddress(request: FetchDepositAddressRequest): Promise<DepositAddress> {
    return this.run('fetchDepositAddress', () => {
      const address = this.exchange.depositAddress(this.account, request.currency, request.network);
      return {
        currency: request.currency,
        address: address.address,
        tag: address.tag ?? null,
        network: address.network,
      };
    });
  }

  async fetchDeposits(request: FetchDepositsRequest): Promise<VenueDeposit[]> {
    return this.run('fetchDeposits', () =>
      this.exchange
        .deposits(this.account, request.currency)
        .filter((deposit) => request.since === undefined || deposit.time >= request.since)
        .map(paperDeposit),
    );
  }

  /** A deposit to one of this account's addresses: pending, credited after the exchange's confirmation delay. */
  async simulateDeposit(request: SimulateDepositRequest): Promise<VenueDeposit> {
    return this.run('simulateDeposit', () =>
      paperDeposit(
        this.exchange.receiveDeposit(this.account, request.currency, request.amount, {
          ...(request.address === undefined ? {} : { address: request.address }),
          ...(request.network === undefined ? {} : { network: request.network }),
        }),
      ),
    );
  }

  watchMarketData(sink: MarketDataSink): PaperMarketDataFeed {
    return new PaperMarketDataFeed(this.exchange, sink, {
      ...(this.options.bookDepth === undefined ? {} : { bookDepth: this.options.bookDepth }),
      ...(this.options.recentTrades === undefined ? {} : { recentTrades: this.options.recentTrades }),
    });
  }

  watchOwnOrders(sink: ExecutionSink): PaperExecutionFeed {
    return new PaperExecutionFeed(this.exchange, this.account, sink);
  }

  async close(): Promise<void> {}

  private run<T>(operation: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw mapPaperError(error, `${this.venue} ${operation}`);
    }
  }
}

function orderRef(request: { venueOrderId?: string; clientOrderId?: string }): OrderRef {
  if (request.venueOrderId !== undefined) {
    const orderId = Number(request.venueOrderId);
    if (!Number.isSafeInteger(orderId) || orderId <= 0)
      throw new VenueError('NOT_FOUND', `no order ${request.venueOrderId}`, { field: 'venueOrderId' });
    return { orderId };
  }
  if (request.clientOrderId !== undefined) return { clientOrderId: request.clientOrderId };
  throw new VenueError('INVALID_ORDER', 'venueOrderId or clientOrderId is required', {
    field: 'venueOrderId',
  });
}
