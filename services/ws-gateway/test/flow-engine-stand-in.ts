// A flow engine that is not one: on real NATS, under the test's subject root, it answers the commands on
// `tm.flow.cmd.*` with reply envelopes as services/flow-engine will (idempotency by key and fingerprint,
// refusals, NOT_FOUND, FLOW_FINISHED), records what it got, and publishes progress when the test says so.
import { randomUUID } from 'node:crypto';
import type { Subscription } from '@nats-io/transport-node';
import {
  decodePayload,
  encodePayload,
  FINISHED_FLOW_STATUSES,
  FlowCommandV1,
  nowMicros,
  type FlowEventType,
  type FlowProgressV1,
  type FlowStartCommandV1,
  type FlowStateV1,
  type FlowStatusV1,
  type ReplyEnvelope,
  type ReplyErrorV1,
  type Subjects,
} from '@tm/contracts';
import type { NatsLink } from '@tm/messaging';
import { accountSlot } from '@tm/sharding';

/** Accounts the stand-in treats specially, so a test picks the engine's answer by the account it sends. */
export const STAND_IN_ACCOUNTS = {
  /** Never answered: the gateway's request times out. */
  silent: 'silent',
  /** Answered UNAVAILABLE (the engine is Waiting for PostgreSQL, say). */
  paused: 'paused',
  /** Every start answered INVALID_PAYLOAD with a field detail, as the engine's own check would. */
  strict: 'strict',
  /** A start's FlowStarted progress is published right after the reply, on the same connection. */
  eager: 'eager',
} as const;

/** An amount the stand-in's pre-trade check refuses (MAX_NOTIONAL_EXCEEDED). */
export const REFUSED_AMOUNT = '1000000';

export class FlowEngineStandIn {
  /** Every command received, valid or not, with the subject it came on. */
  readonly commands: { subject: string; command: unknown }[] = [];
  private readonly flows = new Map<string, FlowStateV1>();
  private readonly byKey = new Map<string, { fingerprint: string; flowId: string }>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly link: NatsLink,
    private readonly subjects: Subjects,
  ) {}

  async start(): Promise<void> {
    this.subscription = this.link.connection.subscribe(this.subjects.all.flowCmd(), {
      callback: (error, msg) => {
        if (error !== null) return;
        const decoded = decodePayload(FlowCommandV1, msg.data);
        this.commands.push({ subject: msg.subject, command: decoded.ok ? decoded.value : decoded.reason });
        const reply = decoded.ok
          ? this.answer(decoded.value)
          : fail({ code: 'INVALID_PAYLOAD', message: decoded.reason, details: decoded.details });
        if (reply !== undefined) msg.respond(encodePayload(reply));
        if (
          reply?.ok === true &&
          decoded.ok &&
          decoded.value.type === 'start' &&
          reply.result.account === STAND_IN_ACCOUNTS.eager
        )
          this.publishProgress(reply.result, 'FlowStarted', 'running');
      },
    });
    await this.link.connection.flush();
  }

  /** No engine any more: the gateway's requests find no responders. */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.link.connection.flush();
  }

  /** The flow as the stand-in holds it now. */
  flow(account: string, flowId: string): FlowStateV1 | undefined {
    return this.flows.get(`${account}/${flowId}`);
  }

  /** Publishes one progress of the flow, as the engine does for each audit row, and keeps its status. */
  publishProgress(
    flow: Pick<FlowStateV1, 'flowId' | 'account' | 'verb' | 'correlationId'>,
    type: FlowEventType,
    status: FlowStatusV1,
    step: string | null = null,
  ): FlowProgressV1 {
    const progress: FlowProgressV1 = {
      v: 1,
      flowId: flow.flowId,
      verb: flow.verb,
      account: flow.account,
      status,
      type,
      step,
      attempt: step === null ? null : 1,
      detail: {},
      correlationId: flow.correlationId,
      tsInit: nowMicros(),
    };
    const kept = this.flow(flow.account, flow.flowId);
    if (kept !== undefined) kept.status = status;
    this.link.connection.publish(
      this.subjects.flowProgress(accountSlot(flow.account)),
      encodePayload(progress),
    );
    return progress;
  }

  private answer(command: FlowCommandV1): ReplyEnvelope<FlowStateV1> | undefined {
    if (command.account === STAND_IN_ACCOUNTS.silent) return undefined;
    if (command.account === STAND_IN_ACCOUNTS.paused)
      return fail({ code: 'UNAVAILABLE', message: 'the flow engine is waiting for postgres' });
    switch (command.type) {
      case 'start':
        return this.startFlow(command);
      case 'get': {
        const flow = this.flow(command.account, command.flowId);
        return flow === undefined ? notFound(command.flowId) : ok({ ...flow, replayed: false });
      }
      case 'cancel': {
        const flow = this.flow(command.account, command.flowId);
        if (flow === undefined) return notFound(command.flowId);
        if (FINISHED_FLOW_STATUSES.includes(flow.status))
          return fail({ code: 'FLOW_FINISHED', message: `flow ${flow.flowId} is ${flow.status} already` });
        flow.status = 'canceling';
        flow.updatedAt = nowMicros();
        return ok({ ...flow, replayed: false });
      }
    }
  }

  private startFlow(command: FlowStartCommandV1): ReplyEnvelope<FlowStateV1> {
    if (command.account === STAND_IN_ACCOUNTS.strict)
      return fail({
        code: 'INVALID_PAYLOAD',
        message: 'invalid payload: input.instrument: not listed on paper',
        details: ['input.instrument: not listed on paper'],
      });
    const fingerprint = JSON.stringify([command.account, command.verb, command.input]);
    const known = this.byKey.get(command.idempotencyKey);
    if (known !== undefined) {
      if (known.fingerprint !== fingerprint)
        return fail({
          code: 'IDEMPOTENCY_CONFLICT',
          message: `idempotency key ${command.idempotencyKey} started another request`,
        });
      const flow = this.flow(command.account, known.flowId);
      if (flow !== undefined) return ok({ ...flow, replayed: true });
    }
    const flowId = `flow-${randomUUID()}`;
    const refused = command.input['amount'] === REFUSED_AMOUNT;
    const now = nowMicros();
    const flow: FlowStateV1 = {
      flowId,
      verb: command.verb,
      account: command.account,
      status: refused ? 'refused' : 'running',
      input: command.input,
      idempotencyKey: command.idempotencyKey,
      requester: command.requester,
      correlationId: command.correlationId ?? flowId,
      replayed: false,
      result: null,
      error: refused
        ? {
            code: 'PRE_TRADE_REFUSED',
            reason: 'MAX_NOTIONAL_EXCEEDED',
            message: 'the order notional is above the account limit',
            step: 'pre-trade',
          }
        : null,
      steps: [],
      createdAt: now,
      updatedAt: now,
    };
    this.flows.set(`${command.account}/${flowId}`, flow);
    this.byKey.set(command.idempotencyKey, { fingerprint, flowId });
    return ok({ ...flow });
  }
}

function ok(result: FlowStateV1): ReplyEnvelope<FlowStateV1> {
  return { v: 1, ok: true, result };
}

function fail(error: ReplyErrorV1): ReplyEnvelope<FlowStateV1> {
  return { v: 1, ok: false, error };
}

function notFound(flowId: string): ReplyEnvelope<FlowStateV1> {
  return fail({ code: 'NOT_FOUND', message: `no flow ${flowId}` });
}
