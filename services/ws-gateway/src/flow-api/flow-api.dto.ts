// The requests and answers of the flow API — REST /api/flows and the socket's flow:* events — validated where
// they enter with the contracts' own field schemas, so the gateway refuses exactly what the engine would.
import {
  FLOW_VERB_INPUTS,
  FLOW_VERBS,
  FlowCancelCommandV1,
  FlowGetCommandV1,
  FlowStartCommandV1,
  validatePayload,
  type FlowStateV1,
  type FlowVerbName,
} from '@tm/contracts';
import { z } from 'zod';

const account = FlowStartCommandV1.shape.account.meta({
  description: 'the account the flow acts for (its slot routes the command)',
  examples: ['desk-1'],
});
const idempotencyKey = FlowStartCommandV1.shape.idempotencyKey.meta({
  description: 'the same key returns the same flow; reuse it to retry a start whose answer was lost',
  examples: ['9b2f3c1e-buy-001'],
});
const flowId = FlowGetCommandV1.shape.flowId;
const input = FlowStartCommandV1.shape.input.meta({
  description: "the verb's input (GET /api/flows/verbs lists each verb's JSON Schema)",
});
const correlationId = FlowStartCommandV1.shape.correlationId.meta({
  description: 'ties together everything done for one business request; defaults to the flow id',
});
const reason = FlowCancelCommandV1.shape.reason;
const verb = z.enum(FLOW_VERBS);

/** `POST /api/flows/:verb`; the key may come in the `Idempotency-Key` header instead. */
export const FlowStartBody = z.object({
  account,
  idempotencyKey: idempotencyKey.optional(),
  input,
  correlationId,
});
export type FlowStartBody = z.infer<typeof FlowStartBody>;

/** The documented body of one verb's start: the input is that verb's schema. */
export function flowStartBodyOf(name: FlowVerbName) {
  return FlowStartBody.extend({ input: FLOW_VERB_INPUTS[name] });
}

/** `Idempotency-Key`, the header form of the body's `idempotencyKey`. */
export const IdempotencyHeaders = z.object({ 'Idempotency-Key': idempotencyKey.optional() });

/** `POST /api/flows/:account/:flowId/cancel`; the body may be left out. */
export const FlowCancelBody = z.object({ reason });
export type FlowCancelBody = z.infer<typeof FlowCancelBody>;

export const VerbParams = z.object({ verb });
export type VerbParams = z.infer<typeof VerbParams>;

export const FlowParams = z.object({ account, flowId: flowId.meta({ description: 'the flow id' }) });
export type FlowParams = z.infer<typeof FlowParams>;

/** `GET /api/flows/verbs`: what an agent registers as tools. */
export const FlowVerbList = z.object({
  verbs: z.array(
    z.object({
      verb,
      description: z.string(),
      inputSchema: z.record(z.string(), z.unknown()).describe("JSON Schema (2020-12) of the verb's input"),
    }),
  ),
});
export type FlowVerbList = z.infer<typeof FlowVerbList>;

/** socket.io `flow:start`. */
export const FlowStartRequestV1 = z.object({ verb, account, idempotencyKey, input, correlationId });
export type FlowStartRequestV1 = z.infer<typeof FlowStartRequestV1>;

/** socket.io `flow:cancel`. */
export const FlowCancelRequestV1 = z.object({ account, flowId, reason });
export type FlowCancelRequestV1 = z.infer<typeof FlowCancelRequestV1>;

/** socket.io `flow:get`. */
export const FlowGetRequestV1 = z.object({ account, flowId });
export type FlowGetRequestV1 = z.infer<typeof FlowGetRequestV1>;

/** The ack of every flow:* event. */
export type FlowAck =
  | { ok: true; flow: FlowStateV1 }
  | { ok: false; error: { code: string; message: string; details?: string[] } };

/** What a start needs once validated, from REST or the socket. */
export interface FlowStart {
  account: string;
  idempotencyKey: string;
  /** As the client sent it: the engine fingerprints this, so the gateway adds no defaults. */
  input: Record<string, unknown>;
  correlationId?: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; details: string[] };

/** The verb's input checked against its schema; each problem named from the request's root (`input.amount: …`). */
export function inputProblems(name: FlowVerbName, value: unknown): string[] {
  const parsed = FLOW_VERB_INPUTS[name].safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `${['input', ...issue.path].join('.')}: ${issue.message}`);
}

/**
 * A REST start: the body, the key from the body or the `Idempotency-Key` header (both given must agree), and
 * the input against the verb's schema.
 */
export function readStartBody(
  name: FlowVerbName,
  body: unknown,
  header: string | undefined,
): Checked<FlowStart> {
  const parsed = validatePayload(FlowStartBody, body);
  if (!parsed.ok) return { ok: false, details: parsed.details };
  const details = inputProblems(name, parsed.value.input);
  const fromBody = parsed.value.idempotencyKey;
  let key = fromBody;
  if (header !== undefined) {
    const checked = idempotencyKey.safeParse(header);
    if (!checked.success) details.push(`Idempotency-Key: ${checked.error.issues[0]?.message ?? 'invalid'}`);
    else if (fromBody !== undefined && fromBody !== header)
      details.push('idempotencyKey: differs from the Idempotency-Key header');
    else key = header;
  }
  if (key === undefined && header === undefined)
    details.push('idempotencyKey: required, in the body or the Idempotency-Key header');
  if (details.length > 0 || key === undefined) return { ok: false, details };
  return { ok: true, value: startOf({ ...parsed.value, idempotencyKey: key }) };
}

/** The validated fields a start command carries, without the ones left out. */
export function startOf(request: {
  account: string;
  idempotencyKey: string;
  input: Record<string, unknown>;
  correlationId?: string | undefined;
}): FlowStart {
  return {
    account: request.account,
    idempotencyKey: request.idempotencyKey,
    input: request.input,
    ...(request.correlationId === undefined ? {} : { correlationId: request.correlationId }),
  };
}
