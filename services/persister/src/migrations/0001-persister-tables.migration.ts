import type { SqlMigration } from '@tm/persistence';

// The persister's schema: the time-series tables it fills from JetStream (each partitioned by day on its
// time column, every row carrying its slot checked against tm_slot), where each stream has been read to,
// the rows PostgreSQL refused (`_replays`) and the buckets the digest has still to roll up.
// Natural keys make a redelivered message land on the row it already made; each includes the partition
// column, as PostgreSQL requires of a unique index on a partitioned table.
export const persisterTablesMigration: SqlMigration = {
  id: '0001_persister_tables',
  up: (s) => `
    CREATE TABLE ${s}.ticks (
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot(instrument)),
      instrument text NOT NULL,
      source text NOT NULL,
      bid double precision NOT NULL,
      bid_size double precision NOT NULL,
      ask double precision NOT NULL,
      ask_size double precision NOT NULL,
      ts_event timestamptz NOT NULL,
      ts_init timestamptz NOT NULL,
      CONSTRAINT ticks_natural_key UNIQUE (instrument, source, ts_event, ts_init)
    ) PARTITION BY RANGE (ts_event);

    CREATE TABLE ${s}.trades (
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot(instrument)),
      instrument text NOT NULL,
      source text NOT NULL,
      trade_id text NOT NULL,
      price double precision NOT NULL,
      amount double precision NOT NULL,
      taker_side text CHECK (taker_side IN ('buy', 'sell')),
      ts_event timestamptz NOT NULL,
      ts_init timestamptz NOT NULL,
      CONSTRAINT trades_natural_key UNIQUE (instrument, source, trade_id, ts_event)
    ) PARTITION BY RANGE (ts_event);
    CREATE INDEX trades_instrument_time_idx ON ${s}.trades (instrument, ts_event);

    CREATE TABLE ${s}.candles (
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot(instrument)),
      instrument text NOT NULL,
      interval_micros bigint NOT NULL CHECK (interval_micros > 0),
      start timestamptz NOT NULL,
      open double precision NOT NULL,
      high double precision NOT NULL,
      low double precision NOT NULL,
      close double precision NOT NULL,
      volume double precision NOT NULL,
      trades integer NOT NULL,
      -- Serves the gateway's candles by instrument and range.
      CONSTRAINT candles_natural_key UNIQUE (instrument, interval_micros, start)
    ) PARTITION BY RANGE (start);

    CREATE TABLE ${s}.arbitrage_windows (
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot(instrument)),
      instrument text NOT NULL,
      buy_source text NOT NULL,
      sell_source text NOT NULL,
      opened_at timestamptz NOT NULL,
      closed_at timestamptz NOT NULL,
      duration_micros bigint NOT NULL,
      best_edge_bps double precision NOT NULL,
      best_edge_at timestamptz NOT NULL,
      CONSTRAINT arbitrage_windows_natural_key UNIQUE (instrument, buy_source, sell_source, opened_at)
    ) PARTITION BY RANGE (opened_at);

    -- Every execution event (order updates, balances, positions, reconciliation), as sent.
    CREATE TABLE ${s}.execution_events (
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot('acct:' || account)),
      event_id text NOT NULL,
      type text NOT NULL,
      venue text NOT NULL,
      account text NOT NULL,
      client_order_id text,
      instrument text,
      status text,
      reconciled boolean NOT NULL,
      ts_event timestamptz NOT NULL,
      ts_init timestamptz NOT NULL,
      payload jsonb NOT NULL,
      CONSTRAINT execution_events_natural_key UNIQUE (event_id, ts_init)
    ) PARTITION BY RANGE (ts_init);
    CREATE INDEX execution_events_account_time_idx ON ${s}.execution_events (account, ts_init);
    CREATE INDEX execution_events_order_idx ON ${s}.execution_events (account, client_order_id)
      WHERE client_order_id IS NOT NULL;

    -- The account's own trades (from OrderFilled), in decimals.
    CREATE TABLE ${s}.fills (
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot('acct:' || account)),
      event_id text NOT NULL,
      venue text NOT NULL,
      account text NOT NULL,
      instrument text NOT NULL,
      side text NOT NULL CHECK (side IN ('buy', 'sell')),
      client_order_id text NOT NULL,
      venue_order_id text,
      trade_id text NOT NULL,
      order_kind text NOT NULL,
      order_price numeric,
      price numeric NOT NULL CHECK (price > 0),
      amount numeric NOT NULL CHECK (amount > 0),
      fee_cost numeric,
      fee_currency text,
      liquidity text,
      reconciled boolean NOT NULL,
      ts_event timestamptz NOT NULL,
      ts_init timestamptz NOT NULL,
      CONSTRAINT fills_natural_key UNIQUE (venue, account, instrument, trade_id, ts_event)
    ) PARTITION BY RANGE (ts_event);
    -- Serves the gateway's trades by account and range.
    CREATE INDEX fills_account_time_idx ON ${s}.fills (account, ts_event);

    CREATE TABLE ${s}.flow_events (
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot('acct:' || account)),
      event_id text NOT NULL,
      flow_id text NOT NULL,
      verb text NOT NULL,
      account text NOT NULL,
      type text NOT NULL,
      step text,
      attempt integer,
      ts_event timestamptz NOT NULL,
      ts_init timestamptz NOT NULL,
      detail jsonb NOT NULL,
      CONSTRAINT flow_events_natural_key UNIQUE (event_id, ts_init)
    ) PARTITION BY RANGE (ts_init);
    CREATE INDEX flow_events_flow_idx ON ${s}.flow_events (flow_id);

    -- Each process's 60 s snapshot, keyed by '<service>/<instance>'.
    CREATE TABLE ${s}.metric_snapshots (
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot(service || '/' || instance)),
      service text NOT NULL,
      instance text NOT NULL,
      state text NOT NULL,
      ts_init timestamptz NOT NULL,
      cpu_percent double precision NOT NULL,
      rss_bytes bigint NOT NULL,
      heap_used_bytes bigint NOT NULL,
      heap_total_bytes bigint NOT NULL,
      lag_p50_ms double precision NOT NULL,
      lag_p99_ms double precision NOT NULL,
      gauges jsonb NOT NULL,
      CONSTRAINT metric_snapshots_natural_key UNIQUE (service, instance, ts_init)
    ) PARTITION BY RANGE (ts_init);

    -- How far each family's stream is written, per block of 64 slots: the rows and this move in one
    -- transaction, so a message at or below it is never written again (ADR 0007).
    CREATE TABLE ${s}.checkpoints (
      family text NOT NULL,
      block smallint NOT NULL CHECK (block BETWEEN 0 AND 511),
      stream_created timestamptz NOT NULL,
      stream_seq bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT checkpoints_pk PRIMARY KEY (family, block)
    );

    -- Rows PostgreSQL refused, retried on the product's replay policy instead of blocking their batch.
    CREATE TABLE ${s}._replays (
      id bigserial PRIMARY KEY,
      target_table text NOT NULL,
      slot integer NOT NULL,
      row_values jsonb NOT NULL,
      error text NOT NULL,
      sqlstate text,
      attempts integer NOT NULL DEFAULT 0,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'exhausted')),
      next_attempt_at timestamptz NOT NULL,
      last_attempt_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX _replays_due_idx ON ${s}._replays (next_attempt_at) WHERE state = 'pending';

    -- What the digest still has to roll up, written with the rows that made it so.
    CREATE TABLE ${s}.digest_dirty (
      kind text NOT NULL CHECK (kind IN ('candle_hour', 'account_day')),
      slot integer NOT NULL,
      key text NOT NULL,
      bucket timestamptz NOT NULL,
      marked_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT digest_dirty_pk PRIMARY KEY (kind, key, bucket)
    );
    CREATE INDEX digest_dirty_slot_idx ON ${s}.digest_dirty (slot);
  `,
  down: (s) => `
    DROP TABLE ${s}.digest_dirty;
    DROP TABLE ${s}._replays;
    DROP TABLE ${s}.checkpoints;
    DROP TABLE ${s}.metric_snapshots;
    DROP TABLE ${s}.flow_events;
    DROP TABLE ${s}.fills;
    DROP TABLE ${s}.execution_events;
    DROP TABLE ${s}.arbitrage_windows;
    DROP TABLE ${s}.candles;
    DROP TABLE ${s}.trades;
    DROP TABLE ${s}.ticks;
  `,
};
