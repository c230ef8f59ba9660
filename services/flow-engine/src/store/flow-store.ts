import type { FlowErrorV1, FlowRequesterV1, FlowStatusV1, FlowVerbName, PreTradeReason } from '@tm/contracts';
import type { SlotRange } from '@tm/sharding';
import type pg from 'pg';
import type { JsonObject, JsonValue } from '../engine/flow-context.js';

/** A flow's row, as the engine reads it back to answer or to resume. */
export interface FlowRecord {
  flowId: string;
  slot: number;
  account: string;
  verb: FlowVerbName;
  input: JsonObject;
  idempotencyKey: string;
  fingerprint: string;
  requester: FlowRequesterV1;
  correlationId: string;
  status: FlowStatusV1;
  result: JsonObject | null;
  error: FlowErrorV1 | null;
  epoch: number;
  auditSeq: number;
  auditHead: string;
  createdAt: number;
  updatedAt: number;
}

/** What a resumed flow replays: committed step results and how many attempts each step has had. */
export interface FlowJournal {
  steps: Map<number, { name: string; result: JsonValue }>;
  attempts: Map<number, { name: string; attempts: number }>;
  /** Who asked to cancel the flow, and why, when someone did. */
  cancelRequest: { requester: FlowRequesterV1; reason: string | null } | undefined;
  /** The step whose last attempt failed for good (the flow was ending when it stopped), if any. */
  finalFailure: { index: number; code: string; message: string; reason?: PreTradeReason } | undefined;
}

export interface FlowOrderRecord {
  stepIndex: number;
  child: number;
  clientOrderId: string;
  venue: string;
  instrument: string;
  side: 'buy' | 'sell';
  amount: string;
  status: string;
  filled: string;
}

interface FlowRow {
  flow_id: string;
  slot: number;
  account: string;
  verb: FlowVerbName;
  input: JsonObject;
  idempotency_key: string;
  fingerprint: string;
  requester: FlowRequesterV1;
  correlation_id: string;
  status: FlowStatusV1;
  result: JsonObject | null;
  error: FlowErrorV1 | null;
  epoch: string;
  audit_seq: number;
  audit_head: string;
  created_us: string;
  updated_us: string;
}

const FLOW_COLUMNS = `flow_id, slot, account, verb, input, idempotency_key, fingerprint, requester, correlation_id,
  status, result, error, epoch, audit_seq, audit_head,
  (extract(epoch FROM created_at) * 1000000)::bigint AS created_us,
  (extract(epoch FROM updated_at) * 1000000)::bigint AS updated_us`;

function recordOf(row: FlowRow): FlowRecord {
  return {
    flowId: row.flow_id,
    slot: row.slot,
    account: row.account,
    verb: row.verb,
    input: row.input,
    idempotencyKey: row.idempotency_key,
    fingerprint: row.fingerprint,
    requester: row.requester,
    correlationId: row.correlation_id,
    status: row.status,
    result: row.result,
    error: row.error,
    epoch: Number(row.epoch),
    auditSeq: row.audit_seq,
    auditHead: row.audit_head,
    createdAt: Number(row.created_us),
    updatedAt: Number(row.updated_us),
  };
}

/** Reads of the flow engine's tables (writes go through FlowCommitBatcher, claims through claim()). */
export class FlowStore {
  constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
  ) {}

  async flow(flowId: string): Promise<FlowRecord | undefined> {
    const { rows } = await this.pool.query<FlowRow>(
      `SELECT ${FLOW_COLUMNS} FROM ${this.schema}.flows WHERE flow_id = $1`,
      [flowId],
    );
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  /**
   * Takes a flow over for `owner`: its epoch moves on, so commits of any earlier owner are fenced off.
   * Undefined when the flow is finished (nothing to resume).
   */
  async claim(flowId: string, owner: string): Promise<FlowRecord | undefined> {
    const { rows } = await this.pool.query<FlowRow>(
      `UPDATE ${this.schema}.flows SET owner = $2, epoch = epoch + 1
       WHERE flow_id = $1 AND status IN ('running', 'canceling') RETURNING ${FLOW_COLUMNS}`,
      [flowId, owner],
    );
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  /** Flows still running or canceling whose slot is in one of the ranges. */
  async unfinishedIn(ranges: readonly SlotRange[]): Promise<string[]> {
    if (ranges.length === 0) return [];
    const { rows } = await this.pool.query<{ flow_id: string }>(
      `SELECT f.flow_id FROM ${this.schema}.flows f
       JOIN unnest($1::int[], $2::int[]) AS r(first, last) ON f.slot BETWEEN r.first AND r.last
       WHERE f.status IN ('running', 'canceling') ORDER BY f.created_at`,
      [ranges.map((r) => r.first), ranges.map((r) => r.last)],
    );
    return rows.map((r) => r.flow_id);
  }

  async journal(flowId: string): Promise<FlowJournal> {
    const [steps, attempts, failures, cancels] = await Promise.all([
      this.pool.query<{ step_index: number; name: string; result: JsonValue }>(
        `SELECT step_index, name, result FROM ${this.schema}.flow_steps WHERE flow_id = $1`,
        [flowId],
      ),
      this.pool.query<{ step_index: number; step_name: string; attempts: number }>(
        `SELECT step_index, min(step_name) AS step_name, max(attempt) AS attempts FROM ${this.schema}.flow_audit
         WHERE flow_id = $1 AND type = 'StepStarted' GROUP BY step_index`,
        [flowId],
      ),
      this.pool.query<{
        step_index: number;
        detail: { code: string; message: string; reason?: PreTradeReason };
      }>(
        `SELECT step_index, detail FROM ${this.schema}.flow_audit
         WHERE flow_id = $1 AND type = 'StepFailed' AND detail->>'willRetry' = 'false' ORDER BY seq DESC LIMIT 1`,
        [flowId],
      ),
      this.pool.query<{ actor: FlowRequesterV1; reason: string | null }>(
        `SELECT actor, detail->>'reason' AS reason FROM ${this.schema}.flow_audit
         WHERE flow_id = $1 AND type = 'FlowCancelRequested' ORDER BY seq DESC LIMIT 1`,
        [flowId],
      ),
    ]);
    const cancel = cancels.rows[0];
    const committed = new Map(steps.rows.map((r) => [r.step_index, { name: r.name, result: r.result }]));
    const failed = failures.rows[0];
    return {
      steps: committed,
      attempts: new Map(
        attempts.rows.map((r) => [r.step_index, { name: r.step_name, attempts: r.attempts }]),
      ),
      cancelRequest: cancel ? { requester: cancel.actor, reason: cancel.reason } : undefined,
      finalFailure:
        failed && !committed.has(failed.step_index)
          ? {
              index: failed.step_index,
              code: failed.detail.code,
              message: failed.detail.message,
              ...(failed.detail.reason ? { reason: failed.detail.reason } : {}),
            }
          : undefined,
    };
  }

  async orders(flowId: string): Promise<FlowOrderRecord[]> {
    const { rows } = await this.pool.query<FlowOrderRecord>(
      `SELECT step_index AS "stepIndex", child, client_order_id AS "clientOrderId", venue, instrument, side,
         amount::text, status, filled::text
       FROM ${this.schema}.flow_orders WHERE flow_id = $1 ORDER BY step_index, child`,
      [flowId],
    );
    return rows;
  }

  /** Client order ids of the orders flows of this account placed on the venue under the tag. */
  async taggedOrders(account: string, venue: string, tag: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ client_order_id: string }>(
      `SELECT client_order_id FROM ${this.schema}.flow_orders WHERE account = $1 AND venue = $2 AND tag = $3`,
      [account, venue, tag],
    );
    return rows.map((r) => r.client_order_id);
  }

  /** The strategy tag a flow gave the order, if a flow placed it with one. */
  async tagOf(clientOrderId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ tag: string | null }>(
      `SELECT tag FROM ${this.schema}.flow_orders WHERE client_order_id = $1`,
      [clientOrderId],
    );
    return rows[0]?.tag ?? null;
  }
}
