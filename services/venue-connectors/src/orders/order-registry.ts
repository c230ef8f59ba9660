import { accountSlot } from '@tm/sharding';
import type { ExecutionEventV1, OrderOriginV1, OrderStatusV1, VenueErrorCode } from '@tm/contracts';
import type { VenueFill, VenueOrder } from '@tm/venues';
import { Decimal } from 'decimal.js';
import type { DataSource } from 'typeorm';
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
/** Orders in a final state remembered per registry, so a report repeating it needs no read. */
const SETTLED_CAPACITY = 10_000;

/**
 * `venue_orders` and `venue_fills` of one venue account, with the events each change emits written to
 * the outbox in the same transaction. A fill is stored once per (instrument, tradeId): duplicates from
 * the feed, from reconciliation or from another replica insert nothing and emit nothing.
 */
export class OrderRegistry {
  readonly slot: number;
  /**
   * Orders last seen in a final state, by client order id, oldest first. A final state is never left
   * (on any replica), and filled only grows, so a report that would change nothing from a remembered
   * final state changes nothing in the table either.
   */
  private readonly settled = new Map<string, VenueOrderRecord>();

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

  /**
   * The venue's answer was ambiguous: the order stays in flight, and everyone is told. `sent_at` is
   * written here with the event (one statement): a reservation sent for the first time has none until
   * then, and a resolver that finds none counts its window from now — later than the send, so never early.
   */
  async markAmbiguous(record: VenueOrderRecord): Promise<void> {
    const event = this.events.order('OrderSubmitted', orderStateOf(record), false);
    await this.dataSource.query(
      `WITH sent AS (
         UPDATE ${this.schema}.venue_orders SET sent_at = $4, updated_at = now()
         WHERE venue = $1 AND account = $2 AND client_order_id = $3 AND status = 'in_flight'
       )
       INSERT INTO ${this.schema}.execution_outbox (event_id, subject_slot, payload) VALUES ($5, $6, $7)
       ON CONFLICT (event_id) DO NOTHING`,
      [
        this.venue,
        this.account,
        record.clientOrderId,
        record.sentAt ?? new Date(),
        event.eventId,
        this.slot,
        JSON.stringify(event),
      ],
    );
    void this.outbox.flush();
  }

  async reject(
    clientOrderId: string,
    code: VenueErrorCode,
    reason: string,
  ): Promise<VenueOrderRecord | undefined> {
    for (;;) {
      const current = await this.get(clientOrderId);
      if (!current || current.status !== 'in_flight') return current;
      const next = { ...current, status: 'rejected' as const };
      const events = [this.events.rejected(orderStateOf(next), code, reason)];
      if (await this.compareAndWrite(current, next, events)) {
        void this.outbox.flush();
        this.remember(next);
        return next;
      }
    }
  }

  /**
   * Applies what the venue says about an order and emits what changed. An order the platform does not
   * know is adopted when `adopt` is set (reconciliation's policy), otherwise ignored (undefined).
   * `known` is the caller's picture of the order (the desk's reservation), which spares a read; it is
   * only trusted through the compare-and-set, so a stale one costs a retry, never a wrong transition.
   * Nothing is written when the answer changes nothing (the feed repeating what the create answer said).
   */
  async applyVenueOrder(
    order: VenueOrder,
    opts: { reconciled: boolean; adopt?: boolean; known?: VenueOrderRecord },
  ): Promise<{ record: VenueOrderRecord; events: ExecutionEventV1[] } | undefined> {
    let trusted = opts.known?.clientOrderId !== order.clientOrderId;
    if (trusted) {
      // The own-order feed repeating what the create answer already stored: no read, no write.
      const settled = this.settled.get(order.clientOrderId);
      if (settled) {
        const { next, events } = this.transition(settled, order, opts.reconciled);
        if (events.length === 0 && sameState(settled, next)) return { record: settled, events };
      }
    }
    let current = trusted ? await this.findFor(order) : opts.known;
    if (trusted && current) this.remember(current);
    for (;;) {
      if (!current) {
        if (!opts.adopt) return undefined;
        const adopted: VenueOrderRecord = {
          venue: this.venue,
          account: this.account,
          ...orderStateOfVenue(order),
          origin: null,
          sentAt: null,
        };
        const events = [this.events.order('OrderAccepted', orderStateOf(adopted), true, order.tsEvent)];
        if (await this.insertWithEvents(adopted, events)) {
          void this.outbox.flush();
          return { record: adopted, events };
        }
      } else {
        const { next, events } = this.transition(current, order, opts.reconciled);
        if (events.length === 0 && sameState(current, next)) {
          // Nothing to write; answered from the stored row, since a caller's picture may be stale.
          if (trusted) return { record: current, events };
        } else if (await this.compareAndWrite(current, next, events)) {
          if (events.length) void this.outbox.flush();
          this.remember(next);
          return { record: next, events };
        }
      }
      // Someone else changed (or created) the order since it was read: decide again on what it is now.
      current = await this.findFor(order);
      if (current) this.remember(current);
      trusted = true;
    }
  }

  /**
   * Stores a fill once; the first time, the order's filled amount grows and OrderFilled is emitted, all
   * in one call of `record_venue_fill` (migration 0002). Returns false for a fill already known.
   */
  async recordFill(fill: VenueFill, reconciled: boolean): Promise<boolean> {
    const event = this.events.filledWithoutOrder(
      fill.instrument,
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
    const [{ outcome }] = (await this.dataSource.query(
      `SELECT ${this.schema}.record_venue_fill($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
         $16) AS outcome`,
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
        this.slot,
        JSON.stringify(event),
      ],
    )) as [{ outcome: 'duplicate' | 'unknown_order' | 'applied' }];
    if (outcome === 'applied') void this.outbox.flush();
    return outcome !== 'duplicate';
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

  private remember(record: VenueOrderRecord): void {
    if (!TERMINAL.includes(record.status)) return;
    this.settled.delete(record.clientOrderId);
    this.settled.set(record.clientOrderId, record);
    if (this.settled.size > SETTLED_CAPACITY) this.settled.delete(this.settled.keys().next().value as string);
  }

  /** The order a venue report is about: by client order id, else by venue order id. */
  private async findFor(order: VenueOrder): Promise<VenueOrderRecord | undefined> {
    const rows: VenueOrderRow[] = await this.dataSource.query(
      // Two index lookups; an OR of the two columns would scan every order of the account.
      `SELECT * FROM (
         SELECT *, 0 AS preference FROM ${this.schema}.venue_orders
         WHERE venue = $1 AND account = $2 AND client_order_id = $3
         UNION ALL
         SELECT *, 1 AS preference FROM ${this.schema}.venue_orders
         WHERE venue = $1 AND account = $2 AND venue_order_id = $4
       ) AS found ORDER BY preference LIMIT 1`,
      [this.venue, this.account, order.clientOrderId, order.venueOrderId || null],
    );
    return rows[0] ? recordOfRow(rows[0]) : undefined;
  }

  /** What a venue report makes of the platform's record, and the events that change emits. */
  private transition(
    current: VenueOrderRecord,
    order: VenueOrder,
    reconciled: boolean,
  ): { next: VenueOrderRecord; events: ExecutionEventV1[] } {
    const next: VenueOrderRecord = {
      ...current,
      venueOrderId: current.venueOrderId ?? order.venueOrderId,
      filled: Decimal.max(current.filled, order.filled).toFixed(),
      // A terminal state never goes back to open (a late, reordered report).
      status: TERMINAL.includes(current.status) ? current.status : order.status,
    };
    const state = orderStateOf(next);
    const events: ExecutionEventV1[] = [];
    if (current.status === 'in_flight' && next.status !== 'rejected')
      events.push(this.events.order('OrderAccepted', state, reconciled, order.tsEvent));
    if (current.status !== next.status) {
      if (next.status === 'canceled')
        events.push(this.events.order('OrderCanceled', state, reconciled, order.tsEvent));
      if (next.status === 'expired')
        events.push(this.events.order('OrderExpired', state, reconciled, order.tsEvent));
      if (next.status === 'rejected')
        events.push(this.events.rejected(state, 'INVALID_ORDER', 'the venue rejected the order'));
    }
    return { next, events };
  }

  /**
   * Writes `next` and queues its events in one statement, only if the row is still `current` (status,
   * filled, venue order id). Under READ COMMITTED a concurrent writer's change is re-checked against
   * this condition once it commits, so of two writers deciding from the same state only one wins; the
   * loser reads again. Returns whether it won.
   */
  private async compareAndWrite(
    current: VenueOrderRecord,
    next: VenueOrderRecord,
    events: readonly ExecutionEventV1[],
  ): Promise<boolean> {
    const rows: { written: number }[] = await this.dataSource.query(
      `WITH written AS (
         UPDATE ${this.schema}.venue_orders SET venue_order_id = $4, filled = $5, status = $6, updated_at = now()
         WHERE venue = $1 AND account = $2 AND client_order_id = $3
           AND status = $7 AND filled = $8::numeric AND venue_order_id IS NOT DISTINCT FROM $9::text
         RETURNING 1
       ), queued AS (
         INSERT INTO ${this.schema}.execution_outbox (event_id, subject_slot, payload)
         SELECT event->>'eventId', $10, event FROM jsonb_array_elements($11::jsonb) AS event
         WHERE EXISTS (SELECT 1 FROM written)
         ON CONFLICT (event_id) DO NOTHING
       )
       SELECT count(*)::int AS written FROM written`,
      [
        this.venue,
        this.account,
        current.clientOrderId,
        next.venueOrderId,
        next.filled,
        next.status,
        current.status,
        current.filled,
        current.venueOrderId,
        this.slot,
        JSON.stringify(events),
      ],
    );
    return (rows[0]?.written ?? 0) > 0;
  }

  /** Inserts an order found on the venue with its events; false when it exists by now. */
  private async insertWithEvents(
    record: VenueOrderRecord,
    events: readonly ExecutionEventV1[],
  ): Promise<boolean> {
    const rows: { inserted: number }[] = await this.dataSource.query(
      `WITH inserted AS (
         INSERT INTO ${this.schema}.venue_orders (venue, account, client_order_id, venue_order_id, slot,
           instrument, side, kind, time_in_force, price, amount, filled, status, origin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL)
         ON CONFLICT DO NOTHING RETURNING 1
       ), queued AS (
         INSERT INTO ${this.schema}.execution_outbox (event_id, subject_slot, payload)
         SELECT event->>'eventId', $5, event FROM jsonb_array_elements($14::jsonb) AS event
         WHERE EXISTS (SELECT 1 FROM inserted)
         ON CONFLICT (event_id) DO NOTHING
       )
       SELECT count(*)::int AS inserted FROM inserted`,
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
        JSON.stringify(events),
      ],
    );
    return (rows[0]?.inserted ?? 0) > 0;
  }
}

/** Whether two pictures of an order are the same in what a venue report can change. */
function sameState(a: VenueOrderRecord, b: VenueOrderRecord): boolean {
  return a.status === b.status && a.venueOrderId === b.venueOrderId && new Decimal(a.filled).eq(b.filled);
}
