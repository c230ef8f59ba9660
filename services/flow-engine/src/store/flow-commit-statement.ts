// The one statement a group commit runs: every commit of the batch (a JSON array of FlowCommit) applied
// set-based with data-modifying CTEs, in one transaction and one round trip, prepared once per connection.
// A commit whose fence (epoch and audit position) no longer matches is skipped and reported `fenced`, so
// a stale owner never writes after another instance took the flow over; a create that meets an existing
// flow id or idempotency key is reported `duplicate`. A batch holds at most one commit per flow (the
// batcher sees to it), so each flow row is written once.
export function flowCommitStatement(schema: string): string {
  return `
    WITH batch AS (
      SELECT b.e, b.i, b.e->>'flow' AS flow FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS b(e, i)
    ),
    created AS (
      INSERT INTO ${schema}.flows (flow_id, slot, account, verb, input, idempotency_key, fingerprint, requester,
        correlation_id, status, owner, epoch, audit_seq, audit_head, created_at, updated_at)
      SELECT c.flow_id, c.slot, c.account, c.verb, c.input, c.idempotency_key, c.fingerprint, c.requester,
        c.correlation_id, 'running', c.owner, 1, (batch.e->>'toSeq')::integer, batch.e->>'head', now(), now()
      FROM batch,
        jsonb_to_record(batch.e->'create') AS c(flow_id text, slot integer, account text, verb text, input jsonb,
          idempotency_key text, fingerprint text, requester jsonb, correlation_id text, owner text)
      WHERE batch.e ? 'create'
      ON CONFLICT DO NOTHING
      RETURNING flow_id
    ),
    updated AS (
      UPDATE ${schema}.flows AS f SET
        audit_seq = (batch.e->>'toSeq')::integer,
        audit_head = batch.e->>'head',
        status = COALESCE(batch.e->>'status', f.status),
        result = COALESCE(batch.e->'result', f.result),
        error = COALESCE(batch.e->'error', f.error),
        updated_at = now(),
        finished_at = CASE WHEN batch.e->>'status' IN ('succeeded', 'failed', 'canceled', 'refused') THEN now()
                           ELSE f.finished_at END
      FROM batch
      WHERE NOT (batch.e ? 'create') AND f.flow_id = batch.flow
        AND f.epoch = (batch.e->>'epoch')::bigint AND f.audit_seq = (batch.e->>'fromSeq')::integer
      RETURNING f.flow_id
    ),
    applied AS (
      SELECT batch.* FROM batch
      WHERE batch.flow IN (SELECT flow_id FROM created UNION ALL SELECT flow_id FROM updated)
    ),
    audit AS (
      INSERT INTO ${schema}.flow_audit (flow_id, seq, event_id, type, step_index, step_name, attempt, actor,
        correlation_id, causation_id, detail, ts_init, prev_hash, hash)
      SELECT applied.flow, a.seq, a.event_id, a.type, a.step_index, a.step_name, a.attempt, a.actor,
        a.correlation_id, a.causation_id, a.detail, a.ts_init, a.prev_hash, a.hash
      FROM applied,
        jsonb_to_recordset(COALESCE(applied.e->'audit', '[]'::jsonb)) AS a(seq integer, event_id text, type text,
          step_index integer, step_name text, attempt integer, actor jsonb, correlation_id text,
          causation_id text, detail jsonb, ts_init bigint, prev_hash text, hash text)
    ),
    steps AS (
      INSERT INTO ${schema}.flow_steps (flow_id, step_index, name, result, committed_at)
      SELECT applied.flow, (applied.e->'step'->>'index')::integer, applied.e->'step'->>'name',
        applied.e->'step'->'result', now()
      FROM applied WHERE applied.e ? 'step'
    ),
    orders AS (
      INSERT INTO ${schema}.flow_orders (flow_id, step_index, child, client_order_id, account, venue, instrument,
        side, kind, amount, price, tag, status, filled)
      SELECT applied.flow, o.step_index, o.child, o.client_order_id, o.account, o.venue, o.instrument, o.side,
        o.kind, o.amount, o.price, o.tag, o.status, 0
      FROM applied,
        jsonb_to_recordset(COALESCE(applied.e->'orders', '[]'::jsonb)) AS o(step_index integer, child integer,
          client_order_id text, account text, venue text, instrument text, side text, kind text, amount numeric,
          price numeric, tag text, status text)
      ON CONFLICT (flow_id, step_index, child) DO NOTHING
    ),
    states AS (
      UPDATE ${schema}.flow_orders AS fo SET status = u.status, filled = u.filled
      FROM applied,
        jsonb_to_recordset(COALESCE(applied.e->'orderStates', '[]'::jsonb)) AS u(client_order_id text,
          status text, filled numeric)
      WHERE fo.client_order_id = u.client_order_id
    )
    SELECT batch.flow,
      CASE WHEN applied.flow IS NOT NULL THEN 'ok' WHEN batch.e ? 'create' THEN 'duplicate' ELSE 'fenced' END
        AS outcome
    FROM batch LEFT JOIN applied USING (i) ORDER BY batch.i`;
}
