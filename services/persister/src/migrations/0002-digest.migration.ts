import type { SqlMigration } from '@tm/persistence';

// What the digest writes: hourly candles rolled up from the 1-minute ones, and daily trade summaries per
// account and per venue. Summaries are recomputed whole from the fills, so a re-digest overwrites a row.
// Decimals (amounts, P&L, commission) are numeric; commission is per fee currency, never converted.
export const digestMigration: SqlMigration = {
  id: '0002_digest',
  up: (s) => `
    CREATE TABLE ${s}.candles_1h (
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot(instrument)),
      instrument text NOT NULL,
      start timestamptz NOT NULL,
      open double precision NOT NULL,
      high double precision NOT NULL,
      low double precision NOT NULL,
      close double precision NOT NULL,
      volume double precision NOT NULL,
      trades integer NOT NULL,
      CONSTRAINT candles_1h_natural_key UNIQUE (instrument, start)
    ) PARTITION BY RANGE (start);

    -- One row per UTC day, venue, account and quote currency: figures in different quotes never add up.
    -- realized_pnl is before commission (the gateway's gross realized P&L); slippage > 0 is worse for us.
    CREATE TABLE ${s}.trade_summaries_account_daily (
      day date NOT NULL,
      venue text NOT NULL,
      account text NOT NULL,
      quote text NOT NULL,
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot('acct:' || account)),
      fills integer NOT NULL,
      buy_amount numeric NOT NULL,
      sell_amount numeric NOT NULL,
      notional numeric NOT NULL,
      realized_pnl numeric NOT NULL,
      commission jsonb NOT NULL,
      slippage numeric NOT NULL,
      wins integer NOT NULL,
      losses integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT trade_summaries_account_daily_pk PRIMARY KEY (day, venue, account, quote)
    );
    CREATE INDEX trade_summaries_account_daily_account_idx
      ON ${s}.trade_summaries_account_daily (account, day);

    -- The sums of the account rows of one venue and day; accounts counts those that traded.
    CREATE TABLE ${s}.trade_summaries_venue_daily (
      day date NOT NULL,
      venue text NOT NULL,
      quote text NOT NULL,
      accounts integer NOT NULL,
      fills integer NOT NULL,
      buy_amount numeric NOT NULL,
      sell_amount numeric NOT NULL,
      notional numeric NOT NULL,
      realized_pnl numeric NOT NULL,
      commission jsonb NOT NULL,
      slippage numeric NOT NULL,
      wins integer NOT NULL,
      losses integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT trade_summaries_venue_daily_pk PRIMARY KEY (day, venue, quote)
    );
  `,
  down: (s) => `
    DROP TABLE ${s}.trade_summaries_venue_daily;
    DROP TABLE ${s}.trade_summaries_account_daily;
    DROP TABLE ${s}.candles_1h;
  `,
};
