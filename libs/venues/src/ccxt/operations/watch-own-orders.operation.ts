// The account's order updates and fills through ccxt: watchOrders + watchMyTrades where the venue
// pushes them, otherwise REST polling of open orders (and the final state and fills of those that
// left the book). Duplicates are possible; the service dedupes fills by tradeId.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Exchange } from 'ccxt';
import type { FeedEnd } from '../../adapter/operations/watch-market-data.operation.js';
import type { ExecutionFeed, ExecutionSink } from '../../adapter/operations/watch-own-orders.operation.js';
import type { VenueOrder } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { feedEndReason } from '../ccxt-error-map.js';
import { closeWebsockets } from '../ccxt-grace.js';
import { normaliseFill, normaliseOrder } from '../ccxt-normalise.js';

export function ccxtWatchOwnOrders(ctx: CcxtContext, sink: ExecutionSink): CcxtExecutionFeed {
  return new CcxtExecutionFeed(ctx, sink);
}

export class CcxtExecutionFeed implements ExecutionFeed {
  readonly ended: Promise<FeedEnd>;
  /**
   * Resolves when the venue confirmed the user-data subscription where ccxt lets us see that
   * (Binance's userDataStream.subscribe); elsewhere at once. Never rejects.
   */
  readonly ready: Promise<void>;
  private resolveEnded: (end: FeedEnd) => void = () => undefined;
  private ending: Promise<void> | undefined;
  private readonly stop = new AbortController();
  private readonly ex: Exchange;

  constructor(
    private readonly ctx: CcxtContext,
    private readonly sink: ExecutionSink,
  ) {
    this.ex = ctx.execution;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    const ex = this.ex;
    if (ctx.has(ex, 'watchOrders') && ctx.has(ex, 'watchMyTrades')) {
      this.loop(async () => {
        for (const order of await ex.watchOrders()) this.sink.order(ctx.remember(normaliseOrder(ex, order)));
      });
      this.loop(async () => {
        for (const trade of await ex.watchMyTrades()) this.sink.fill(normaliseFill(ex, trade));
      });
    } else {
      this.pollLoop();
    }
    this.ready = this.subscriptionConfirmed();
  }

  async close(): Promise<void> {
    await this.end({ reason: 'closed' });
  }

  private get done(): boolean {
    return this.stop.signal.aborted;
  }

  private async subscriptionConfirmed(): Promise<void> {
    const hook = (this.ex as unknown as Record<string, unknown>)['ensureUserDataStreamWsSubscribeSignature'];
    if (typeof hook !== 'function' || !this.ctx.has(this.ex, 'watchOrders')) return;
    const marketType = (this.ctx.config.defaultType ?? 'spot') === 'swap' ? 'future' : 'spot';
    await (hook as (type: string) => Promise<unknown>).call(this.ex, marketType).catch(() => undefined);
  }

  private loop(step: () => Promise<void>): void {
    void (async () => {
      while (!this.done) {
        try {
          await step();
        } catch (error) {
          if (this.done) return;
          await this.end({ reason: feedEndReason(error), error });
          return;
        }
      }
    })();
  }

  /** No push channel: diff open orders each period; orders that left are fetched for their end state. */
  private pollLoop(): void {
    const ex = this.ex;
    const pollMs = this.ctx.config.pollIntervalMs ?? 1000;
    const open = new Map<string, VenueOrder>();
    const lastFillMs = new Map<string, number>();
    const seenFills = new Set<string>();
    this.loop(async () => {
      await sleep(pollMs, undefined, { signal: this.stop.signal });
      const orders = (await ex.fetchOpenOrders()).map((order) => normaliseOrder(ex, order));
      const now = new Map(orders.map((order) => [order.venueOrderId, order]));
      const touched = new Set<string>();
      for (const order of orders) {
        const before = open.get(order.venueOrderId);
        if (before === undefined || before.filled !== order.filled || before.status !== order.status) {
          this.sink.order(this.ctx.remember(order));
          if ((before?.filled ?? '0') !== order.filled) touched.add(order.instrument);
        }
      }
      for (const [id, before] of open) {
        if (now.has(id)) continue;
        const final = normaliseOrder(ex, await ex.fetchOrder(id, before.instrument));
        this.sink.order(this.ctx.remember(final));
        if (final.filled !== before.filled) touched.add(before.instrument);
      }
      for (const instrument of touched) {
        const since = lastFillMs.get(instrument);
        for (const trade of await ex.fetchMyTrades(instrument, since)) {
          const fill = normaliseFill(ex, trade);
          if (seenFills.has(fill.tradeId)) continue;
          seenFills.add(fill.tradeId);
          lastFillMs.set(instrument, Math.max(since ?? 0, Math.floor(fill.tsEvent / 1000)));
          this.sink.fill(fill);
        }
      }
      open.clear();
      for (const [id, order] of now) open.set(id, order);
    });
  }

  private end(end: FeedEnd): Promise<void> {
    if (this.ending !== undefined) return this.ending;
    this.stop.abort();
    this.ending = (async () => {
      await closeWebsockets(this.ex);
      this.resolveEnded(end);
    })();
    return this.ending;
  }
}
