import type { Exchange } from 'ccxt';
import type { VenueOrder } from '../adapter/venue-types.js';
import { mapCcxtError } from './ccxt-error-map.js';
import type { CcxtVenueConfig } from './ccxt-venue-config.js';

/** What every ccxt operation needs: the two instances and the error mapping around each call. */
export class CcxtContext {
  /** Orders seen recently (editOrder needs the side and kind the venue's answer left out). */
  private readonly orders = new Map<string, VenueOrder>();

  constructor(
    readonly venue: string,
    readonly config: CcxtVenueConfig,
    /** Market data: book and trade fetches, public websockets. */
    readonly data: Exchange,
    /** Orders, balances, transfers, the user-data websocket: never queued behind market data. */
    readonly execution: Exchange,
  ) {}

  async call<T>(operation: string, mutating: boolean, exchange: Exchange, fn: () => Promise<T>): Promise<T> {
    const throttle = this.config.throttle;
    // Market-data requests spend the account's data budget; execution calls are budgeted by the caller.
    if (throttle && exchange === this.data) await throttle.data();
    try {
      return await fn();
    } catch (error) {
      const mapped = mapCcxtError(error, exchange, { operation: `${this.venue} ${operation}`, mutating });
      if (throttle && mapped.code === 'RATE_LIMITED') await throttle.rateLimited(mapped.retryAfterMs);
      throw mapped;
    }
  }

  remember(order: VenueOrder): VenueOrder {
    this.orders.delete(order.venueOrderId);
    this.orders.set(order.venueOrderId, order);
    // A bounded memory: Map keeps insertion order, so the first key is the oldest.
    if (this.orders.size > 10_000) this.orders.delete(this.orders.keys().next().value as string);
    return order;
  }

  known(venueOrderId: string): VenueOrder | undefined {
    return this.orders.get(venueOrderId);
  }

  /** True when the venue supports a capability (ccxt's `has` says true or 'emulated'). */
  has(exchange: Exchange, capability: string): boolean {
    const value: unknown = (exchange.has as Record<string, unknown>)[capability];
    return value === true || value === 'emulated';
  }
}
