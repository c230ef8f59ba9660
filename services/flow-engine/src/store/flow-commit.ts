import type { FlowErrorV1, FlowStatusV1 } from '@tm/contracts';
import type { JsonObject, JsonValue } from '../engine/flow-context.js';

/** One audit row as it goes to `commit_flow_batch` (snake_case: jsonb_to_recordset reads these names). */
export interface AuditRowWire {
  seq: number;
  event_id: string;
  type: string;
  step_index: number | null;
  step_name: string | null;
  attempt: number | null;
  actor: { kind: string; id: string };
  correlation_id: string;
  causation_id: string | null;
  detail: JsonObject;
  ts_init: number;
  prev_hash: string;
  hash: string;
}

export interface OrderIntentWire {
  step_index: number;
  child: number;
  client_order_id: string;
  account: string;
  venue: string;
  instrument: string;
  side: 'buy' | 'sell';
  kind: 'limit' | 'market';
  amount: string;
  price: string | null;
  tag: string | null;
  status: string;
}

export interface OrderStateWire {
  client_order_id: string;
  status: string;
  filled: string;
}

export interface FlowCreateWire {
  flow_id: string;
  slot: number;
  account: string;
  verb: string;
  input: JsonObject;
  idempotency_key: string;
  fingerprint: string;
  requester: { kind: string; id: string };
  correlation_id: string;
  owner: string;
}

/**
 * Everything one flow commits at once: audit rows from `fromSeq` to `toSeq`, maybe a step's result,
 * order intents and states, and a status change. Applied only if the flow is still at `epoch` and `fromSeq`.
 */
export interface FlowCommit {
  flow: string;
  epoch: number;
  fromSeq: number;
  toSeq: number;
  head: string;
  create?: FlowCreateWire;
  audit?: AuditRowWire[];
  step?: { index: number; name: string; result: JsonValue };
  orders?: OrderIntentWire[];
  orderStates?: OrderStateWire[];
  status?: FlowStatusV1;
  result?: JsonObject;
  error?: FlowErrorV1;
}

/** ok: applied; fenced: another instance owns the flow now (or the chain moved on); duplicate: the create met an existing key. */
export type CommitOutcome = 'ok' | 'fenced' | 'duplicate';
