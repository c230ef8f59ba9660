import { accountSlot } from '@tm/sharding';
import type { ExecutionEventV1, OrderOriginV1, OrderStatusV1, VenueErrorCode } from '@tm/contracts';
import type { VenueFill, VenueOrder } from '@tm/venues';
import { Decimal } from 'decimal.js';
import type { DataSource, EntityManager } from 'typeorm';
import type { ExecutionEvents } from '../execution/execution-events.js';
import type { ExecutionOutbox } from '../execution/execution-outbox.js';
import {
  LIVE_STATUSES,
  orderStateOf,
  orderStateOfVenue,
  recordOfRow,
  type VenueOrderRecord,
  type VenueOrderRow,
} from './venue-order.record.js';

export interface NewOrder {
  clientOrderId: string;
  instrument: string;
  side: 'buy' | 'sell';
  kind: 'limit' | 'market';
  timeInForce: 'GTC' | 'IOC' | 'FOK' | 'PO';
  price: string | null;
  amount: string;
  origin: OrderOriginV1 | null;
}

const TERMINAL: readonly OrderStatusV1[] = ['closed', 'canceled', 'rejected', 'expired'];

/**
 * `venue_orders` and `venue_fills` of one venue account, with the events each change emits written to
 * the outbox in the same transaction. A fill is stored once per (instrument, tradeId): duplicates from
 * the feed, from reconciliation or from another replica insert nothing and emit nothing.
 */
export class OrderRegistry {
  readonly slot: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly events: ExecutionEvents,
    private readonly outbox: ExecutionOutbox,
  ) {
    this.slot = accountSlot(events.account);
  }

  get venue(): string {
    return this.events.venue;
  }

  get account(): string {
    return this.events.account;
  }

  /** Records the order as in flight before anything is sent; an existing one is returned as it is. */
  async reserve(order: NewOrder): Promise<{ record: VenueOrderRecord; created: boolean }> {
    const rows: VenueOrderRow[] = await this.dataSource.query(
      `INSERT INTO ${this.schema}.venue_orders (venue, account, client_order_id, slot, instrument, side, kind,
         time_in_force, price, amount, status, origin)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'in_flight', $11)
       ON CONFLICT (venue, account, client_order_id) DO NOTHING RETURNING *`,
      [
        this.venue,
        this.account,
        order.clientOrderId,
        this.slot,
        order.instrument,
        order.side,
        order.kind,
        order.timeInForce,
        order.price,
        order.amount,
        order.origin === null ? null : JSON.stringify(order.origin),
      ],
    );
    if (rows[0]) return { record: recordOfRow(rows[0]), created: true };
    const existing = await this.get(order.clientOrderId);
    if (!existing) throw new Error(`order ${order.clientOrderId} vanished while being reserved`);
    return { record: existing, created: false };
  }

  async get(clientOrderId: string): Promise<VenueOrderRecord | undefined> {
    const rows: VenueOrderRow[] = await this.dataSource.query(
      `SELECT * FROM ${this.schema}.venue_orders WHERE venue = $1 AND account = $2 AND client_order_id = $3`,
      [this.venue, this.account, clientOrderId],
    );
    return rows[0] ? recordOfRow(rows[0]) : undefined;
  }

  async getByVenueOrderId(venueOrderId: string): Promise<VenueOrderRecord | undefined> {
    const rows: VenueOrderRow[] = await this.dataSource.query(
      `SELECT * FROM ${this.schema}.venue_orders WHERE venue = $1 AND account = $2 AND venue_order_id = $3`,
      [this.venue, this.account, venueOrderId],
    );
    return rows[0] ? recordOfRow(rows[0]) : undefined;
  }

  /** Orders the platform believes may still be working: in flight or open. */
  async live(): Promise<VenueOrderRecord[]> {
    const rows: VenueOrderRow[] = await this.dataSource.query(
      `SELECT * FROM ${this.schema}.venue_orders WHERE venue = $1 AND account = $2 AND status = ANY($3)
       ORDER BY created_at`,
      [this.venue, this.account, LIVE_STATUSES],
    );
    return rows.map(recordOfRow);
  }

  /** Instruments with orders changed since `since`, for fetching fills per instrument. */
  async activeInstruments(since: Date): Promise<string[]> {
    const rows: { instrument: string }[] = await this.dataSource.query(
      `SELECT DISTINCT instrument FROM ${this.schema}.venue_orders
       WHERE venue = $1 AND account = $2 AND (updated_at >= $3 OR status = ANY($4))`,
      [this.venue, this.account, since, LIVE_STATUSES],
    );
    return rows.map((row) => row.instrument);
  }

  async markSent(clientOrderId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.schema}.venue_orders SET sent_at = now(), updated_at = now()
       WHERE venue = $1 AND account = $2 AND client_order_id = $3`,
      [this.venue, this.account, clientOrderId],
    );
  }

  /** Nothing reached the venue (refused by our own budget or breaker): drop the reservation. */
  async forget(clientOrderId: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM ${this.schema}.venue_orders
       WHERE venue = $1 AND account = $2 AND client_order_id = $3 AND status = 'in_flight'`,
      [this.venue, this.account, clientOrderId],
    );
  }

  /** The venue's answer was ambiguous: the order stays in flight, and everyone is told. */
  async markAmbiguous(record: VenueOrderRecord): Promise<void> {
    await this.dataSource.transaction((m) =>
      this.outbox.enqueue(m, this.slot, [this.events.order('OrderSubmitted', orderStateOf(record), false)]),
    );
    void this.outbox.flush();
  }

  async reject(
    clientOrderId: string,
    code: VenueErrorCode,
    reason: string,
  ): Promise<VenueOrderRecord | undefined> {
    const record = await this.dataSource.transaction(async (m) => {
      const current = await this.lock(m, clientOrderId);
      if (!current || current.status !== 'in_flight') return current;
      const next = { ...current, status: 'rejected' as const };
      await this.write(m, next);
      await this.outbox.enqueue(m, this.slot, [this.events.rejected(orderStateOf(next), code, reason)]);
      return next;
    });
    void this.outbox.flush();
    return record;
  }

  /**
   * Applies what the venue says about an order and emits what changed. An order the platform does not
   * know is adopted when `adopt` is set (reconciliation's policy), otherwise ignored (undefined).
   */
  async applyVenueOrder(
    order: VenueOrder,
    opts: { reconciled: boolean; adopt?: boolean },
  ): Promise<{ record: VenueOrderRecord; events: ExecutionEventV1[] } | undefined> {
    const result = await this.dataSource.transaction(async (m) => {
      let current = await this.lock(m, order.clientOrderId);
      if (!current && order.venueOrderId) current = await this.lockByVenueId(m, order.venueOrderId);
      const events: ExecutionEventV1[] = [];
      if (!current) {
        if (!opts.adopt) return undefined;
        const adopted: VenueOrderRecord = {
          venue: this.venue,
          account: this.account,
          ...orderStateOfVenue(order),
          origin: null,
          sentAt: null,
        };
        await this.insert(m, adopted);
        events.push(this.events.order('OrderAccepted', orderStateOf(adopted), true, order.tsEvent));
        await this.outbox.enqueue(m, this.slot, events);
        return { record: adopted, events };
      }
      const next: VenueOrderRecord = {
        ...current,
        venueOrderId: current.venueOrderId ?? order.venueOrderId,
        filled: Decimal.max(current.filled, order.filled).toFixed(),
        // A terminal state never goes back to open (a late, reordered report).
        status: TERMINAL.includes(current.status) ? current.status : order.status,
      };
      const state = orderStateOf(next);
      if (current.status === 'in_flight' && next.status !== 'rejected')
        events.push(this.events.order('OrderAccepted', state, opts.reconciled, order.tsEvent));
      if (current.status !== next.status) {
        if (next.status === 'canceled')
          events.push(this.events.order('OrderCanceled', state, opts.reconciled, order.tsEvent));
        if (next.status === 'expired')
          events.push(this.events.order('OrderExpired', state, opts.reconciled, order.tsEvent));
        if (next.status === 'rejected')
          events.push(this.events.rejected(state, 'INVALID_ORDER', 'the venue rejected the order'));
      }
      await this.write(m, next);
      await this.outbox.enqueue(m, this.slot, events);
      return { record: next, events };
    });
    if (result?.events.length) void this.outbox.flush();
    return result;
  }

  /**
   * Stores a fill once; the first time, the order's filled amount grows and OrderFilled is emitted.
   * Returns false for a fill already known (a duplicate).
   */
  async recordFill(fill: VenueFill, reconciled: boolean): Promise<boolean> {
    const inserted = await this.dataSource.transaction(async (m) => {
      const rows: unknown[] = await m.query(
        `INSERT INTO ${this.schema}.venue_fills (venue, account, instrument, trade_id, venue_order_id,
           client_order_id, side, price, amount, fee_cost, fee_currency, liquidity, reconciled, ts_event)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, to_timestamp($14::double precision / 1e6))
         ON CONFLICT DO NOTHING RETURNING trade_id`,
        [
          this.venue,
          this.account,
          fill.instrument,
          fill.tradeId,
          fill.venueOrderId,
          fill.clientOrderId,
          fill.side,
          fill.price,
          fill.amount,
          fill.feeCost,
          fill.feeCurrency,
          fill.liquidity,
          reconciled,
          fill.tsEvent,
        ],
      );
      if (rows.length === 0) return false;
      let order = fill.clientOrderId ? await this.lock(m, fill.clientOrderId) : undefined;
      order ??= await this.lockByVenueId(m, fill.venueOrderId);
      if (!order) return true; // an order we do not know: kept, and reconciliation adopts or cancels it
      const [{ total }] = (await m.query(
        `SELECT COALESCE(sum(amount), 0)::text AS total FROM ${this.schema}.venue_fills
         WHERE venue = $1 AND account = $2 AND venue_order_id = $3`,
        [this.venue, this.account, fill.venueOrderId],
      )) as [{ total: string }];
      const filled = Decimal.max(order.filled, total);
      const next: VenueOrderRecord = {
        ...order,
        venueOrderId: order.venueOrderId ?? fill.venueOrderId,
        filled: filled.toFixed(),
        status: filled.gte(order.amount) ? 'closed' : order.status === 'in_flight' ? 'open' : order.status,
      };
      await this.write(m, next);
      const fillEvent = this.events.filled(
        orderStateOf(next),
        {
          tradeId: fill.tradeId,
          price: fill.price,
          amount: fill.amount,
          feeCost: fill.feeCost,
          feeCurrency: fill.feeCurrency,
          liquidity: fill.liquidity,
        },
        reconciled,
        fill.tsEvent,
      );
      await this.outbox.enqueue(m, this.slot, [fillEvent]);
      return true;
    });
    if (inserted) void this.outbox.flush();
    return inserted;
  }

  /** The venue time of the newest fill stored for an instrument, for fetching what came after. */
  async lastFillMicros(instrument: string): Promise<number | undefined> {
    const rows: { ts: string | null }[] = await this.dataSource.query(
      `SELECT (extract(epoch FROM max(ts_event)) * 1e6)::bigint::text AS ts FROM ${this.schema}.venue_fills
       WHERE venue = $1 AND account = $2 AND instrument = $3`,
      [this.venue, this.account, instrument],
    );
    return rows[0]?.ts ? Number(rows[0].ts) : undefined;
  }

  private async lock(m: EntityManager, clientOrderId: string): Promise<VenueOrderRecord | undefined> {
    const rows: VenueOrderRow[] = await m.query(
      `SELECT * FROM ${this.schema}.venue_orders WHERE venue = $1 AND account = $2 AND client_order_id = $3
       FOR UPDATE`,
      [this.venue, this.account, clientOrderId],
    );
    return rows[0] ? recordOfRow(rows[0]) : undefined;
  }

  private async lockByVenueId(m: EntityManager, venueOrderId: string): Promise<VenueOrderRecord | undefined> {
    const rows: VenueOrderRow[] = await m.query(
      `SELECT * FROM ${this.schema}.venue_orders WHERE venue = $1 AND account = $2 AND venue_order_id = $3
       FOR UPDATE`,
      [this.venue, this.account, venueOrderId],
    );
    return rows[0] ? recordOfRow(rows[0]) : undefined;
  }

  private async write(m: EntityManager, record: VenueOrderRecord): Promise<void> {
    await m.query(
      `UPDATE ${this.schema}.venue_orders SET venue_order_id = $4, filled = $5, status = $6, updated_at = now()
       WHERE venue = $1 AND account = $2 AND client_order_id = $3`,
      [this.venue, this.account, record.clientOrderId, record.venueOrderId, record.filled, record.status],
    );
  }

  private async insert(m: EntityManager, record: VenueOrderRecord): Promise<void> {
    await m.query(
      `INSERT INTO ${this.schema}.venue_orders (venue, account, client_order_id, venue_order_id, slot, instrument,
         side, kind, time_in_force, price, amount, filled, status, origin)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL)
       ON CONFLICT DO NOTHING`,
      [
        this.venue,
        this.account,
        record.clientOrderId,
        record.venueOrderId,
        this.slot,
        record.instrument,
        record.side,
        record.kind,
        record.timeInForce,
        record.price,
        record.amount,
        record.filled,
        record.status,
      ],
    );
  }
}
