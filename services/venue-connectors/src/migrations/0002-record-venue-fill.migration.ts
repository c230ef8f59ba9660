import type { SqlMigration } from '@tm/persistence';

// Storing a fill is the busiest write of the order path: the fill, the order's filled amount and status,
// and its OrderFilled event, atomically. One function call does it in one round trip (it was seven).
export const recordVenueFillMigration: SqlMigration = {
  id: '0002_record_venue_fill',
  up: (s) => `
    -- Without statistics (a young table, or autovacuum off) the planner rated (venue, account,
    -- venue_order_id) as good as the primary key for a lookup by client order id, and scanned every order
    -- of the account. An order without a venue id yet is never looked up by it, so the index skips those
    -- rows and can no longer serve (or tie with the key on) a lookup by client order id.
    DROP INDEX ${s}.venue_orders_venue_id_idx;
    CREATE INDEX venue_orders_venue_id_idx ON ${s}.venue_orders (venue, account, venue_order_id)
      WHERE venue_order_id IS NOT NULL;

    -- An order's state as execution events carry it (OrderStateV1), decimals without trailing zeros.
    CREATE FUNCTION ${s}.venue_order_state(o ${s}.venue_orders) RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS $$
      SELECT jsonb_build_object(
        'clientOrderId', o.client_order_id,
        'venueOrderId', o.venue_order_id,
        'instrument', o.instrument,
        'side', o.side,
        'kind', o.kind,
        'timeInForce', o.time_in_force,
        'price', trim_scale(o.price)::text,
        'amount', trim_scale(o.amount)::text,
        'filled', trim_scale(o.filled)::text,
        'status', o.status)
    $$;

    -- Stores a fill once per (venue, account, instrument, trade id). The first time, the order it belongs
    -- to (by client order id, else venue order id) is locked, its filled amount becomes the larger of
    -- what it had and the sum of its fills, it closes when fully filled (an order in flight opens), and
    -- the event is queued with that order state. Returns 'duplicate', 'unknown_order' (kept for
    -- reconciliation) or 'applied'.
    CREATE FUNCTION ${s}.record_venue_fill(
      p_venue text, p_account text, p_instrument text, p_trade_id text, p_venue_order_id text,
      p_client_order_id text, p_side text, p_price numeric, p_amount numeric, p_fee_cost numeric,
      p_fee_currency text, p_liquidity text, p_reconciled boolean, p_ts_event_micros double precision,
      p_slot integer, p_event jsonb) RETURNS text
    LANGUAGE plpgsql AS $$
    DECLARE
      o ${s}.venue_orders%ROWTYPE;
      total numeric;
    BEGIN
      INSERT INTO ${s}.venue_fills (venue, account, instrument, trade_id, venue_order_id, client_order_id,
        side, price, amount, fee_cost, fee_currency, liquidity, reconciled, ts_event)
      VALUES (p_venue, p_account, p_instrument, p_trade_id, p_venue_order_id, p_client_order_id, p_side,
        p_price, p_amount, p_fee_cost, p_fee_currency, p_liquidity, p_reconciled,
        to_timestamp(p_ts_event_micros / 1e6))
      ON CONFLICT DO NOTHING;
      IF NOT FOUND THEN
        RETURN 'duplicate';
      END IF;
      IF p_client_order_id IS NOT NULL THEN
        SELECT * INTO o FROM ${s}.venue_orders
        WHERE venue = p_venue AND account = p_account AND client_order_id = p_client_order_id FOR UPDATE;
      END IF;
      IF o.client_order_id IS NULL THEN
        SELECT * INTO o FROM ${s}.venue_orders
        WHERE venue = p_venue AND account = p_account AND venue_order_id = p_venue_order_id LIMIT 1 FOR UPDATE;
      END IF;
      IF o.client_order_id IS NULL THEN
        RETURN 'unknown_order';
      END IF;
      SELECT COALESCE(sum(amount), 0) INTO total FROM ${s}.venue_fills
      WHERE venue = p_venue AND account = p_account AND venue_order_id = p_venue_order_id;
      o.filled := GREATEST(o.filled, total);
      o.venue_order_id := COALESCE(o.venue_order_id, p_venue_order_id);
      o.status := CASE WHEN o.filled >= o.amount THEN 'closed'
                       WHEN o.status = 'in_flight' THEN 'open'
                       ELSE o.status END;
      UPDATE ${s}.venue_orders
      SET venue_order_id = o.venue_order_id, filled = o.filled, status = o.status, updated_at = now()
      WHERE venue = o.venue AND account = o.account AND client_order_id = o.client_order_id;
      INSERT INTO ${s}.execution_outbox (event_id, subject_slot, payload)
      VALUES (p_event->>'eventId', p_slot, p_event || jsonb_build_object('order', ${s}.venue_order_state(o)))
      ON CONFLICT (event_id) DO NOTHING;
      RETURN 'applied';
    END
    $$;
  `,
  down: (s) => `
    DROP FUNCTION ${s}.record_venue_fill(text, text, text, text, text, text, text, numeric, numeric, numeric,
      text, text, boolean, double precision, integer, jsonb);
    DROP FUNCTION ${s}.venue_order_state(${s}.venue_orders);
    DROP INDEX ${s}.venue_orders_venue_id_idx;
    CREATE INDEX venue_orders_venue_id_idx ON ${s}.venue_orders (venue, account, venue_order_id);
  `,
};
