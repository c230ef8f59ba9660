import { randomUUID } from 'node:crypto';
import type { ExecutionEventV1, ReconciliationDifferenceFoundV1 } from '@tm/contracts';
import { VenueError, type BalanceSnapshot, type VenueAdapter, type VenueOrder } from '@tm/venues';
import type { Logger } from '@tm/telemetry';
import type { DataSource } from 'typeorm';
import type { ExecutionEvents } from '../execution/execution-events.js';
import type { ExecutionOutbox } from '../execution/execution-outbox.js';
import type { ExecutionThrottle } from '../orders/execution-throttle.js';
import type { OrderRegistry } from '../orders/order-registry.js';
import { orderStateOf, type VenueOrderRecord } from '../orders/venue-order.record.js';
import type { VenueCallGuard } from '../sessions/venue-call-guard.js';
import type { ReconciliationGate } from './reconciliation-gate.js';

export type ReconciliationTrigger = 'start' | 'reconnect' | 'operator';

export interface ReconcilerSettings {
  unknownOrders: 'adopt' | 'cancel';
  /** Instruments whose fills are always fetched (the session's configured ones). */
  instruments: readonly string[];
  /** How far back fills are fetched when none is stored for an instrument. */
  fillLookbackMs: number;
}

export interface ReconciliationReport {
  runId: string;
  trigger: ReconciliationTrigger;
  differences: ReconciliationDifferenceFoundV1[];
}

type Difference = Pick<
  ReconciliationDifferenceFoundV1,
  'difference' | 'action' | 'subject' | 'platform' | 'venueSays'
>;

/**
 * Compares the platform's picture of one venue account with the venue's, at start and on every
 * reconnect: open orders, recent fills, balances, positions. Missing fills are emitted once (flagged
 * reconciled), unknown orders adopted or canceled by policy, orders the venue closed are closed with
 * its status. Every difference is kept (`reconciliation_differences`) and published.
 */
export class Reconciler {
  private lastRunAt: Date | undefined;
  private lastBalances: BalanceSnapshot | undefined;
  lastReconciledAt: number | null = null;

  constructor(
    private readonly adapter: VenueAdapter,
    private readonly registry: OrderRegistry,
    private readonly events: ExecutionEvents,
    private readonly outbox: ExecutionOutbox,
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly throttle: ExecutionThrottle,
    private readonly guard: VenueCallGuard,
    private readonly gate: ReconciliationGate,
    private readonly settings: ReconcilerSettings,
    private readonly logger: Logger,
  ) {}

  run(trigger: ReconciliationTrigger): Promise<ReconciliationReport> {
    return this.gate.while(() => this.reconcile(trigger));
  }

  private async reconcile(trigger: ReconciliationTrigger): Promise<ReconciliationReport> {
    const runId = randomUUID();
    const startedAt = new Date();
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.reconciliation_runs (run_id, venue, account, trigger, started_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [runId, this.registry.venue, this.registry.account, trigger, startedAt],
    );
    const found: Difference[] = [];
    try {
      await this.reconcileOrders(found);
      await this.reconcileFills(found, startedAt);
      await this.reconcileBalances(found);
      await this.reconcilePositions();
    } catch (error) {
      await this.finish(runId, found, error);
      throw error;
    }
    const differences = await this.finish(runId, found, undefined);
    this.lastRunAt = startedAt;
    this.lastReconciledAt = startedAt.getTime() * 1_000;
    return { runId, trigger, differences };
  }

  private async reconcileOrders(found: Difference[]): Promise<void> {
    const venueOpen = await this.ask('query', () => this.adapter.fetchOpenOrders({}));
    const platformLive = await this.registry.live();
    const known = new Map(platformLive.map((o) => [o.clientOrderId, o]));
    const knownByVenueId = new Map(
      platformLive.filter((o) => o.venueOrderId).map((o) => [o.venueOrderId, o]),
    );

    for (const order of venueOpen) {
      const mine = known.get(order.clientOrderId) ?? knownByVenueId.get(order.venueOrderId);
      if (mine) {
        if (mine.status !== order.status || mine.filled !== order.filled || mine.venueOrderId === null) {
          await this.registry.applyVenueOrder(order, { reconciled: true });
          if (mine.status !== 'in_flight' || order.status !== 'open')
            found.push(this.orderDifference('order_state_differs', 'updated', mine, order));
        }
        continue;
      }
      const existing = await this.registry.get(order.clientOrderId);
      if (existing) {
        // The platform had it closed while the venue still works it: the venue is right.
        await this.registry.applyVenueOrder(order, { reconciled: true });
        found.push(this.orderDifference('order_state_differs', 'updated', existing, order));
      } else if (this.settings.unknownOrders === 'adopt') {
        await this.registry.applyVenueOrder(order, { reconciled: true, adopt: true });
        found.push(this.orderDifference('unknown_order', 'adopted', undefined, order));
      } else {
        const canceled = await this.ask('cancel', () =>
          this.adapter.cancelOrder({ instrument: order.instrument, venueOrderId: order.venueOrderId }),
        );
        found.push(this.orderDifference('unknown_order', 'canceled', undefined, canceled));
      }
    }

    const stillOpen = new Set(venueOpen.map((o) => o.clientOrderId));
    const stillOpenIds = new Set(venueOpen.map((o) => o.venueOrderId));
    for (const mine of platformLive) {
      if (stillOpen.has(mine.clientOrderId) || (mine.venueOrderId && stillOpenIds.has(mine.venueOrderId)))
        continue;
      let venueOrder: VenueOrder;
      try {
        venueOrder = await this.ask('query', () =>
          this.adapter.fetchOrder({
            instrument: mine.instrument,
            clientOrderId: mine.clientOrderId,
            ...(mine.venueOrderId ? { venueOrderId: mine.venueOrderId } : {}),
          }),
        );
      } catch (error) {
        if (!(error instanceof VenueError && error.code === 'NOT_FOUND')) throw error;
        if (mine.status === 'in_flight') {
          // Sent but never placed (the venue has no trace of it): it is not working anywhere.
          await this.registry.reject(
            mine.clientOrderId,
            'AMBIGUOUS',
            'never reached the venue (reconciliation)',
          );
          found.push(this.orderDifference('order_closed_on_venue', 'closed', mine, undefined));
        } else {
          found.push(this.orderDifference('order_closed_on_venue', 'recorded', mine, undefined));
        }
        continue;
      }
      await this.registry.applyVenueOrder(venueOrder, { reconciled: true });
      found.push(this.orderDifference('order_closed_on_venue', 'closed', mine, venueOrder));
    }
  }

  private async reconcileFills(found: Difference[], startedAt: Date): Promise<void> {
    const since = this.lastRunAt ?? new Date(startedAt.getTime() - this.settings.fillLookbackMs);
    const instruments = new Set([
      ...this.settings.instruments,
      ...(await this.registry.activeInstruments(new Date(since.getTime() - this.settings.fillLookbackMs))),
    ]);
    for (const instrument of instruments) {
      const last = await this.registry.lastFillMicros(instrument);
      // From a little before the newest stored fill: the overlap is absorbed by the trade-id key.
      const sinceMicros =
        last !== undefined ? last - 60_000_000 : (startedAt.getTime() - this.settings.fillLookbackMs) * 1_000;
      const fills = await this.ask('query', () =>
        this.adapter.fetchMyTrades({ instrument, since: Math.max(0, Math.floor(sinceMicros)) }),
      );
      for (const fill of fills) {
        if (await this.registry.recordFill(fill, true)) {
          found.push({
            difference: 'missing_fill',
            action: 'emitted',
            subject: `${instrument} trade ${fill.tradeId} (order ${fill.clientOrderId ?? fill.venueOrderId})`,
            platform: null,
            venueSays: `${fill.side} ${fill.amount} @ ${fill.price}`,
          });
        }
      }
    }
  }

  private async reconcileBalances(found: Difference[]): Promise<void> {
    const snapshot = await this.ask('query', () => this.adapter.fetchBalance());
    const before = this.lastBalances;
    this.lastBalances = snapshot;
    if (before) {
      const previous = new Map(before.balances.map((b) => [b.currency, b.total]));
      for (const balance of snapshot.balances) {
        const had = previous.get(balance.currency);
        if (had !== undefined && had !== balance.total) {
          found.push({
            difference: 'balance_differs',
            action: 'updated',
            subject: balance.currency,
            platform: had,
            venueSays: balance.total,
          });
        }
      }
    }
    await this.emit([
      this.events.balances(
        { balances: snapshot.balances, freeMargin: snapshot.freeMargin, leverage: snapshot.leverage },
        true,
        snapshot.tsEvent,
      ),
    ]);
  }

  /**
   * Publishes a balance snapshot taken outside reconciliation (the session's periodic diagnostics)
   * when it differs from the last one published, so consumers see balances move between reconnects.
   */
  async reportBalances(snapshot: BalanceSnapshot): Promise<void> {
    const totals = (b: BalanceSnapshot | undefined) =>
      JSON.stringify(b?.balances.map((x) => [x.currency, x.free, x.used]) ?? null);
    if (totals(snapshot) === totals(this.lastBalances)) return;
    this.lastBalances = snapshot;
    await this.emit([
      this.events.balances(
        { balances: snapshot.balances, freeMargin: snapshot.freeMargin, leverage: snapshot.leverage },
        false,
        snapshot.tsEvent,
      ),
    ]);
  }

  private async reconcilePositions(): Promise<void> {
    const positions = await this.ask('query', () => this.adapter.fetchPositions({}));
    if (positions.length === 0) return;
    await this.emit([
      this.events.positions(
        positions.map(({ tsEvent: _ts, ...position }) => position),
        true,
        Math.max(...positions.map((p) => p.tsEvent)),
      ),
    ]);
  }

  private orderDifference(
    difference: Difference['difference'],
    action: Difference['action'],
    mine: VenueOrderRecord | undefined,
    venue: VenueOrder | undefined,
  ): Difference {
    return {
      difference,
      action,
      subject: `order ${mine?.clientOrderId ?? venue?.clientOrderId} (${mine?.instrument ?? venue?.instrument})`,
      platform: mine ? `${orderStateOf(mine).status}, filled ${mine.filled}` : null,
      venueSays: venue ? `${venue.status}, filled ${venue.filled}` : null,
    };
  }

  private async ask<T>(kind: 'query' | 'cancel', call: () => Promise<T>): Promise<T> {
    await this.throttle.acquire(kind);
    return this.guard.call(call);
  }

  private async emit(events: ExecutionEventV1[]): Promise<void> {
    await this.dataSource.transaction((m) => this.outbox.enqueue(m, this.registry.slot, events));
    void this.outbox.flush();
  }

  private async finish(
    runId: string,
    found: Difference[],
    error: unknown,
  ): Promise<ReconciliationDifferenceFoundV1[]> {
    const differences = found.map((difference) => this.events.difference(runId, difference));
    await this.dataSource.transaction(async (m) => {
      for (const d of differences) {
        await m.query(
          `INSERT INTO ${this.schema}.reconciliation_differences
             (event_id, run_id, venue, account, difference, action, subject, platform, venue_says)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [d.eventId, runId, d.venue, d.account, d.difference, d.action, d.subject, d.platform, d.venueSays],
        );
      }
      await m.query(
        `UPDATE ${this.schema}.reconciliation_runs SET finished_at = now(), differences = $2, error = $3
         WHERE run_id = $1`,
        [runId, differences.length, error === undefined ? null : String((error as Error).message ?? error)],
      );
      await this.outbox.enqueue(m, this.registry.slot, differences);
    });
    void this.outbox.flush();
    if (differences.length)
      this.logger.info({ runId, differences: differences.length }, 'reconciliation found differences');
    return differences;
  }
}
