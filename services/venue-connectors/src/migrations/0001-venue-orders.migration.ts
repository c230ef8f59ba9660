import type { SqlMigration } from '@tm/persistence';

// The platform's picture of every order and fill it placed or found, the outbox of execution events
// (written in the same transaction as the state they describe), and what reconciliation found.
export const venueOrdersMigration: SqlMigration = {
  id: '0001_venue_orders',
  up: (s) => `
    CREATE TABLE ${s}.venue_orders (
      venue text NOT NULL,
      account text NOT NULL,
      client_order_id text NOT NULL,
      venue_order_id text,
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot('acct:' || account)),
      instrument text NOT NULL,
      side text NOT NULL CHECK (side IN ('buy', 'sell')),
      kind text NOT NULL CHECK (kind IN ('limit', 'market')),
      time_in_force text NOT NULL CHECK (time_in_force IN ('GTC', 'IOC', 'FOK', 'PO')),
      price numeric,
      amount numeric NOT NULL CHECK (amount > 0),
      filled numeric NOT NULL DEFAULT 0,
      status text NOT NULL CHECK (status IN ('in_flight', 'open', 'closed', 'canceled', 'rejected', 'expired')),
      origin jsonb,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT venue_orders_pk PRIMARY KEY (venue, account, client_order_id)
    );
    CREATE INDEX venue_orders_live_idx ON ${s}.venue_orders (venue, account)
      WHERE status IN ('in_flight', 'open');
    CREATE INDEX venue_orders_venue_id_idx ON ${s}.venue_orders (venue, account, venue_order_id);

    CREATE TABLE ${s}.venue_fills (
      venue text NOT NULL,
      account text NOT NULL,
      instrument text NOT NULL,
      trade_id text NOT NULL,
      venue_order_id text NOT NULL,
      client_order_id text,
      side text NOT NULL,
      price numeric NOT NULL,
      amount numeric NOT NULL,
      fee_cost numeric,
      fee_currency text,
      liquidity text,
      reconciled boolean NOT NULL,
      ts_event timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT venue_fills_pk PRIMARY KEY (venue, account, instrument, trade_id)
    );
    CREATE INDEX venue_fills_order_idx ON ${s}.venue_fills (venue, account, venue_order_id);

    CREATE TABLE ${s}.execution_outbox (
      event_id text PRIMARY KEY,
      subject_slot integer NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX execution_outbox_created_idx ON ${s}.execution_outbox (created_at);

    CREATE TABLE ${s}.reconciliation_runs (
      run_id text PRIMARY KEY,
      venue text NOT NULL,
      account text NOT NULL,
      trigger text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      differences integer NOT NULL DEFAULT 0,
      error text
    );
    CREATE TABLE ${s}.reconciliation_differences (
      event_id text PRIMARY KEY,
      run_id text NOT NULL REFERENCES ${s}.reconciliation_runs (run_id),
      venue text NOT NULL,
      account text NOT NULL,
      difference text NOT NULL,
      action text NOT NULL,
      subject text NOT NULL,
      platform text,
      venue_says text,
      found_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX reconciliation_differences_account_idx
      ON ${s}.reconciliation_differences (venue, account, found_at);
  `,
  down: (s) => `
    DROP TABLE ${s}.reconciliation_differences;
    DROP TABLE ${s}.reconciliation_runs;
    DROP TABLE ${s}.execution_outbox;
    DROP TABLE ${s}.venue_fills;
    DROP TABLE ${s}.venue_orders;
  `,
};
