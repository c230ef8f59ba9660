import type { SqlMigration } from '@tm/persistence';

// The flow engine's schema: a flow and its committed steps, every attempt as a hash-chained audit row,
// the orders each flow placed, and idempotency keys kept forever (the unique key on flows).
// Many flows' commits are applied in one statement (store/flow-commit-statement.ts).
export const flowsMigration: SqlMigration = {
  id: '0001_flows',
  up: (s) => `
    CREATE TABLE ${s}.flows (
      flow_id text PRIMARY KEY,
      slot integer NOT NULL CHECK (slot = ${s}.tm_slot('acct:' || account)),
      account text NOT NULL,
      verb text NOT NULL,
      input jsonb NOT NULL,
      idempotency_key text NOT NULL,
      fingerprint text NOT NULL,
      requester jsonb NOT NULL,
      correlation_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'canceling', 'succeeded', 'failed', 'canceled', 'refused')),
      result jsonb,
      error jsonb,
      -- Fencing: the instance running the flow took it with this epoch; its commits carry it.
      owner text,
      epoch bigint NOT NULL DEFAULT 1,
      audit_seq integer NOT NULL,
      audit_head text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      finished_at timestamptz,
      -- Kept forever: the same key returns the same flow; a different request with it is refused.
      CONSTRAINT flows_idempotency_key UNIQUE (account, idempotency_key)
    );
    CREATE INDEX flows_unfinished_slot_idx ON ${s}.flows (slot) WHERE status IN ('running', 'canceling');

    CREATE TABLE ${s}.flow_steps (
      flow_id text NOT NULL REFERENCES ${s}.flows (flow_id),
      step_index integer NOT NULL,
      name text NOT NULL,
      result jsonb NOT NULL,
      committed_at timestamptz NOT NULL,
      CONSTRAINT flow_steps_pkey PRIMARY KEY (flow_id, step_index)
    );

    CREATE TABLE ${s}.flow_audit (
      flow_id text NOT NULL REFERENCES ${s}.flows (flow_id),
      seq integer NOT NULL,
      event_id text NOT NULL,
      type text NOT NULL,
      step_index integer,
      step_name text,
      attempt integer,
      actor jsonb NOT NULL,
      correlation_id text NOT NULL,
      causation_id text,
      detail jsonb NOT NULL,
      ts_init bigint NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      published boolean NOT NULL DEFAULT false,
      -- event_id is '<flow_id>.<seq>': the primary key keeps it unique.
      CONSTRAINT flow_audit_pkey PRIMARY KEY (flow_id, seq)
    );
    CREATE INDEX flow_audit_unpublished_idx ON ${s}.flow_audit (flow_id, seq) WHERE NOT published;

    CREATE TABLE ${s}.flow_orders (
      flow_id text NOT NULL REFERENCES ${s}.flows (flow_id),
      step_index integer NOT NULL,
      child integer NOT NULL,
      client_order_id text NOT NULL,
      account text NOT NULL,
      venue text NOT NULL,
      instrument text NOT NULL,
      side text NOT NULL CHECK (side IN ('buy', 'sell')),
      kind text NOT NULL CHECK (kind IN ('limit', 'market')),
      amount numeric NOT NULL,
      price numeric,
      tag text,
      status text NOT NULL,
      filled numeric NOT NULL DEFAULT 0,
      CONSTRAINT flow_orders_pkey PRIMARY KEY (flow_id, step_index, child),
      CONSTRAINT flow_orders_client_order_id UNIQUE (client_order_id)
    );
    CREATE INDEX flow_orders_tag_idx ON ${s}.flow_orders (account, venue, tag) WHERE tag IS NOT NULL;
  `,
  down: (s) => `
    DROP TABLE ${s}.flow_orders;
    DROP TABLE ${s}.flow_audit;
    DROP TABLE ${s}.flow_steps;
    DROP TABLE ${s}.flows;
  `,
};
