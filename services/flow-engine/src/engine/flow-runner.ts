// Runs one flow on the instance that owns it: replays committed steps, runs the rest one attempt at a
// time with every attempt audited before it starts, commits each result before the next step, and ends
// the flow as succeeded, failed (working orders canceled), refused or canceled.
import { genesisHash, linkHash } from '@tm/audit-chain';
import {
  nowMicros,
  type FlowErrorV1,
  type FlowEventType,
  type FlowRequesterV1,
  type FlowStateV1,
  type FlowStatusV1,
} from '@tm/contracts';
import type { Logger } from '@tm/telemetry';
import type { FlowEventOutbox } from '../publishing/flow-event-outbox.js';
import type { AuditRowWire, FlowCommit, OrderIntentWire, OrderStateWire } from '../store/flow-commit.js';
import type { FlowCommitBatcher } from '../store/flow-commit-batcher.js';
import type { FlowJournal, FlowRecord, FlowStore } from '../store/flow-store.js';
import type { AggregateReader } from '../market/aggregate-reader.js';
import type { OrderEvents } from '../venue/order-events.js';
import type { VenueRpcClient } from '../venue/venue-rpc.client.js';
import type { FlowContext, JsonObject, JsonValue, StepPolicy } from './flow-context.js';
import type { FlowVerb, VerbSettings } from './flow-verb.js';
import { abortableDelay } from './abortable-delay.js';
import { FINAL_STATUSES, FlowStepScope } from './flow-step-scope.js';
import { FlowInterrupted, PreTradeRefusal, StepError } from './step.error.js';

export interface RunnerSettings extends VerbSettings {
  defaultMaxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface RunnerDeps {
  batcher: FlowCommitBatcher;
  store: FlowStore;
  outbox: FlowEventOutbox;
  venue: VenueRpcClient;
  market: AggregateReader;
  orderEvents: OrderEvents;
  settings: RunnerSettings;
  logger: Logger;
}

/** The step that cancels what a flow left working, run when it is canceled or fails. */
export const CLEANUP_STEP = 'cancel-working-orders';

interface AuditInput {
  type: FlowEventType;
  stepIndex?: number;
  stepName?: string;
  attempt?: number;
  detail?: JsonObject;
  actor?: FlowRequesterV1;
  causationId?: string | null;
}

/** The commit was refused because another instance has taken the flow (or this one lost it). */
class FlowFenced extends Error {}

export class FlowRunner {
  private seq: number;
  private head: string;
  private lastEventId: string | null = null;
  private nextIndex = 0;
  private current: { index: number; name: string; attempt: number } | undefined;
  private readonly work = new AbortController();
  private cleanup: AbortController | undefined;
  private lost = false;
  private cancelRequest: { requester: FlowRequesterV1; reason: string | null } | undefined;
  private readonly pendingStates = new Map<string, OrderStateWire>();
  private readonly knownOrders = new Set<string>();
  private settledFirst!: () => void;
  /** Resolves once the first step is committed or the flow has ended: what a start command waits for. */
  readonly firstSettled = new Promise<void>((resolve) => (this.settledFirst = resolve));
  private finished: Promise<void> | undefined;
  /** A step's success, waiting to ride on the flow's next commit. */
  private held: { audit: AuditInput; step: { index: number; name: string; result: JsonValue } } | undefined;

  private constructor(
    readonly record: FlowRecord,
    private readonly journal: FlowJournal,
    private readonly verb: FlowVerb,
    private readonly deps: RunnerDeps,
  ) {
    this.seq = record.auditSeq;
    this.head = record.auditHead;
  }

  /** A new flow: its create commit carries FlowStarted. Outcome `duplicate` means the key was taken. */
  static async create(
    record: Omit<FlowRecord, 'auditSeq' | 'auditHead' | 'epoch' | 'status' | 'result' | 'error'>,
    owner: string,
    causationId: string | null,
    verb: FlowVerb,
    deps: RunnerDeps,
  ): Promise<FlowRunner | 'duplicate'> {
    const genesis = genesisHash(record.flowId);
    const runner = new FlowRunner(
      { ...record, status: 'running', result: null, error: null, epoch: 1, auditSeq: 0, auditHead: genesis },
      { steps: new Map(), attempts: new Map(), cancelRequest: undefined, finalFailure: undefined },
      verb,
      deps,
    );
    const outcome = await runner.commit(
      [{ type: 'FlowStarted', detail: { input: record.input }, causationId }],
      {
        create: {
          flow_id: record.flowId,
          slot: record.slot,
          account: record.account,
          verb: record.verb,
          input: record.input,
          idempotency_key: record.idempotencyKey,
          fingerprint: record.fingerprint,
          requester: record.requester,
          correlation_id: record.correlationId,
          owner,
        },
      },
    );
    return outcome === 'duplicate' ? 'duplicate' : runner;
  }

  /** A flow taken over (restart, slot move): it goes on from its last committed step. */
  static resume(record: FlowRecord, journal: FlowJournal, verb: FlowVerb, deps: RunnerDeps): FlowRunner {
    // The verb runs again from its first step: committed steps answer from the journal.
    return new FlowRunner(record, journal, verb, deps);
  }

  get flowId(): string {
    return this.record.flowId;
  }

  get status(): FlowStatusV1 {
    return this.record.status;
  }

  /** Runs the flow to its end (or until this instance loses it). */
  run(resumed: boolean): Promise<void> {
    this.finished ??= this.execute(resumed).finally(() => this.settledFirst());
    return this.finished;
  }

  /** This instance no longer owns the flow: stop at once, write nothing more (the new owner resumes it). */
  abandon(): void {
    this.lost = true;
    this.work.abort(new FlowInterrupted('lost'));
    this.cleanup?.abort(new FlowInterrupted('lost'));
  }

  /** Records the cancel request (audited, durable) and stops the flow's work; cleanup follows in run(). */
  async requestCancel(
    requester: FlowRequesterV1,
    reason: string | null,
    causationId: string | null,
  ): Promise<void> {
    if (this.cancelRequest || this.record.status !== 'running') return;
    this.cancelRequest = { requester, reason };
    await this.commit([{ type: 'FlowCancelRequested', actor: requester, detail: { reason }, causationId }], {
      status: 'canceling',
    });
    this.record.status = 'canceling';
    this.work.abort(new FlowInterrupted('cancel'));
  }

  state(replayed: boolean): FlowStateV1 {
    const r = this.record;
    const steps: FlowStateV1['steps'] = [...this.journal.attempts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, { name, attempts }]) => {
        const committed = this.journal.steps.get(index);
        const failed = this.journal.finalFailure?.index === index;
        return {
          index,
          name,
          status: committed ? 'succeeded' : failed ? 'failed' : 'running',
          attempts,
          ...(committed ? { result: committed.result } : {}),
        };
      });
    return {
      flowId: r.flowId,
      verb: r.verb,
      account: r.account,
      status: r.status,
      input: r.input,
      idempotencyKey: r.idempotencyKey,
      requester: r.requester,
      correlationId: r.correlationId,
      replayed,
      result: r.result,
      error: r.error,
      steps,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  private async execute(resumed: boolean): Promise<void> {
    try {
      if (resumed) await this.commit([{ type: 'FlowResumed', detail: { epoch: this.record.epoch } }]);
      const failure = this.journal.finalFailure;
      if (this.record.status === 'canceling') {
        this.cancelRequest ??= this.journal.cancelRequest ?? {
          requester: this.record.requester,
          reason: null,
        };
        throw new FlowInterrupted('cancel');
      }
      if (failure?.code === 'PRE_TRADE_REFUSED') throw new PreTradeRefusal(failure.reason!, failure.message);
      if (failure) throw new StepError(failure.code, failure.message, false);
      const result = await this.verb.run(this.context(), this.deps.settings);
      await this.finish('succeeded', 'FlowSucceeded', { result });
    } catch (error) {
      await this.conclude(error).catch((final: unknown) => {
        if (!(final instanceof FlowFenced) && !this.lost)
          this.deps.logger.error(
            { err: final, flowId: this.flowId },
            'flow stopped before it could end; it resumes later',
          );
      });
    }
  }

  private async conclude(error: unknown): Promise<void> {
    if (this.lost || error instanceof FlowFenced) return;
    if (error instanceof PreTradeRefusal) {
      await this.finish('refused', 'FlowRefused', {
        error: {
          code: 'PRE_TRADE_REFUSED',
          reason: error.reason,
          message: error.message,
          step: this.failedStepName(),
        },
      });
      return;
    }
    if (this.cancelRequest) {
      const done = await this.cancelWorkingOrders();
      await this.finish('canceled', 'FlowCanceled', { result: done });
      return;
    }
    const failure = error instanceof StepError ? error : new StepError('INTERNAL', String(error), false);
    if (!(error instanceof StepError))
      this.deps.logger.error({ err: error, flowId: this.flowId }, 'flow failed on an unexpected error');
    const failedStep = this.failedStepName();
    const done = await this.cancelWorkingOrders();
    await this.finish('failed', 'FlowFailed', {
      result: done,
      error: { code: failure.code, message: failure.message, step: failedStep },
    });
  }

  /** The step that failed for good: the one running now, or on a resume the one the journal says. */
  private failedStepName(): string | null {
    const index = this.current?.index ?? this.journal.finalFailure?.index;
    return index === undefined ? null : (this.journal.attempts.get(index)?.name ?? null);
  }

  /** Cancels every order of the flow that is still working and waits for the venue to confirm each. */
  private async cancelWorkingOrders(): Promise<JsonObject> {
    this.cleanup = new AbortController();
    if (this.lost) this.cleanup.abort(new FlowInterrupted('lost'));
    // After every step the flow attempted (a resumed flow that is canceling has not replayed its verb).
    const attempted = [...this.journal.attempts.entries()];
    this.nextIndex =
      attempted.find(([, step]) => step.name === CLEANUP_STEP)?.[0] ??
      attempted.reduce((next, [index]) => Math.max(next, index + 1), 0);
    const orders = await this.deps.store.orders(this.flowId);
    const outcome = await this.step(
      CLEANUP_STEP,
      async (step) => {
        const canceled: JsonObject[] = [];
        for (const order of orders) {
          if (FINAL_STATUSES.has(order.status)) continue;
          const state = await step.cancelOrder(order.venue, order);
          canceled.push({ clientOrderId: state.clientOrderId, status: state.status, filled: state.filled });
        }
        return { canceled };
      },
      { maxAttempts: Infinity },
      this.cleanup.signal,
    );
    const finalOrders = await this.deps.store.orders(this.flowId);
    return {
      ...(outcome as JsonObject),
      orders: finalOrders.map((o) => ({
        clientOrderId: o.clientOrderId,
        instrument: o.instrument,
        side: o.side,
        amount: o.amount,
        filled: o.filled,
        status: o.status,
      })),
    };
  }

  private async finish(
    status: FlowStatusV1,
    type: FlowEventType,
    end: { result?: JsonObject; error?: FlowErrorV1 },
  ): Promise<void> {
    const actor = type === 'FlowCanceled' ? this.cancelRequest?.requester : undefined;
    await this.commit(
      [
        {
          type,
          actor,
          detail: {
            ...(end.result ? { result: end.result } : {}),
            ...(end.error ? { error: end.error as unknown as JsonObject } : {}),
          },
        },
      ],
      {
        status,
        ...(end.result ? { result: end.result } : {}),
        ...(end.error ? { error: end.error } : {}),
      },
    );
    this.record.status = status;
    this.record.result = end.result ?? null;
    this.record.error = end.error ?? null;
  }

  private context(): FlowContext<never> {
    return {
      flowId: this.flowId,
      verb: this.record.verb,
      account: this.record.account,
      input: this.record.input as never,
      step: (name, run, policy) => this.step(name, run, policy, this.work.signal),
      sleepUntil: async (atMs) => {
        await this.flushHeld();
        const wait = atMs - Date.now();
        if (wait > 0) await abortableDelay(wait, this.work.signal);
        this.work.signal.throwIfAborted();
      },
    };
  }

  private async step<T extends JsonValue>(
    name: string,
    run: (step: FlowStepScope) => Promise<T>,
    policy: StepPolicy | undefined,
    signal: AbortSignal,
  ): Promise<T> {
    const index = this.nextIndex++;
    const committed = this.journal.steps.get(index);
    if (committed) {
      if (committed.name !== name)
        throw new StepError(
          'INTERNAL',
          `step ${index} was "${committed.name}" when committed, "${name}" now`,
          false,
        );
      return committed.result as T;
    }
    signal.throwIfAborted();
    const maxAttempts = policy?.maxAttempts ?? this.deps.settings.defaultMaxAttempts;
    let attempt = this.journal.attempts.get(index)?.attempts ?? 0;
    for (;;) {
      attempt += 1;
      this.current = { index, name, attempt };
      this.journal.attempts.set(index, { name, attempts: attempt });
      await this.commit([{ type: 'StepStarted', stepIndex: index, stepName: name, attempt }]);
      const scope = new FlowStepScope(this, index, attempt, signal, this.deps);
      try {
        const result = await run(scope);
        // Held for the flow's next commit (the next step's first attempt, a wait, the end): the result is
        // durable before anything else happens, in one transaction instead of two.
        this.held = {
          audit: { type: 'StepSucceeded', stepIndex: index, stepName: name, attempt, detail: { result } },
          step: { index, name, result },
        };
        this.journal.steps.set(index, { name, result });
        return result;
      } catch (error) {
        if (this.lost || error instanceof FlowFenced) throw error;
        const failure = this.failureOf(error, signal);
        const willRetry = failure.retryable && attempt < maxAttempts;
        const retryInMs = willRetry ? this.backoff(attempt, failure.retryAfterMs) : null;
        await this.commit([
          {
            type: 'StepFailed',
            stepIndex: index,
            stepName: name,
            attempt,
            detail: {
              code: failure.code,
              message: failure.message,
              willRetry,
              retryInMs,
              ...(error instanceof PreTradeRefusal ? { reason: error.reason } : {}),
            },
          },
        ]);
        if (!willRetry) {
          this.journal.finalFailure = { index, code: failure.code, message: failure.message };
          this.settledFirst();
          throw error instanceof PreTradeRefusal || error instanceof FlowInterrupted ? error : failure;
        }
        await abortableDelay(retryInMs!, signal).catch(() => undefined);
        signal.throwIfAborted();
      }
    }
  }

  /** Commits a held step result now (before a wait, so a long sleep never keeps it in memory). */
  private async flushHeld(): Promise<void> {
    if (this.held) await this.commit([]);
  }

  private failureOf(error: unknown, signal: AbortSignal): StepError {
    if (error instanceof PreTradeRefusal) return new StepError('PRE_TRADE_REFUSED', error.message, false);
    if (signal.aborted || error instanceof FlowInterrupted)
      return new StepError('CANCELED', 'the flow is being canceled', false);
    if (error instanceof StepError) return error;
    return new StepError('INTERNAL', error instanceof Error ? error.message : String(error), false);
  }

  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    const { retryBaseMs, retryMaxMs } = this.deps.settings;
    const exponential = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempt - 1, 20));
    const jittered = exponential / 2 + Math.random() * (exponential / 2);
    return Math.round(Math.max(jittered, retryAfterMs ?? 0));
  }

  /** Records an order before it is sent, with its tag (a replacement keeps the original's), so cleanup and tag selection find it. */
  async recordOrder(
    intent: Omit<OrderIntentWire, 'account' | 'tag' | 'status'>,
    replaces?: string,
  ): Promise<void> {
    if (this.knownOrders.has(intent.client_order_id)) return;
    const own = typeof this.record.input['tag'] === 'string' ? this.record.input['tag'] : null;
    const tag = (replaces !== undefined ? await this.deps.store.tagOf(replaces) : null) ?? own;
    await this.commit([], {
      orders: [{ ...intent, account: this.record.account, tag, status: 'in_flight' }],
    });
    this.knownOrders.add(intent.client_order_id);
  }

  /** The latest known state of an order, written with the flow's next commit. */
  noteOrderState(state: OrderStateWire): void {
    this.pendingStates.set(state.client_order_id, state);
  }

  /**
   * Builds the audit rows (sequence and hash chain) now, in call order, and hands the commit to the
   * batcher; a fenced commit means another instance has the flow, and this runner stops.
   */
  private async commit(
    audit: AuditInput[],
    parts: Omit<FlowCommit, 'flow' | 'epoch' | 'fromSeq' | 'toSeq' | 'head' | 'audit'> = {},
  ): Promise<'ok' | 'duplicate'> {
    const r = this.record;
    const fromSeq = this.seq;
    const held = this.held;
    this.held = undefined;
    const rows: AuditRowWire[] = [];
    for (const a of held ? [held.audit, ...audit] : audit) {
      const seq = this.seq + 1;
      const link = {
        chainId: r.flowId,
        seq,
        eventId: `${r.flowId}.${seq}`,
        type: a.type,
        stepIndex: a.stepIndex ?? null,
        stepName: a.stepName ?? null,
        attempt: a.attempt ?? null,
        actor: a.actor ?? r.requester,
        correlationId: r.correlationId,
        causationId: a.causationId !== undefined ? a.causationId : this.lastEventId,
        detail: a.detail ?? {},
        tsInit: nowMicros(),
      };
      const hash = linkHash(this.head, link);
      rows.push({
        seq,
        event_id: link.eventId,
        type: link.type,
        step_index: link.stepIndex,
        step_name: link.stepName,
        attempt: link.attempt,
        actor: link.actor,
        correlation_id: link.correlationId,
        causation_id: link.causationId,
        detail: link.detail,
        ts_init: link.tsInit,
        prev_hash: this.head,
        hash,
      });
      this.seq = seq;
      this.head = hash;
      this.lastEventId = link.eventId;
    }
    const orderStates = [...this.pendingStates.values()];
    this.pendingStates.clear();
    const outcome = await this.deps.batcher.commit({
      flow: r.flowId,
      epoch: r.epoch,
      fromSeq,
      toSeq: this.seq,
      head: this.head,
      audit: rows,
      ...(orderStates.length > 0 ? { orderStates } : {}),
      ...(held ? { step: held.step } : {}),
      ...parts,
    });
    if (outcome === 'duplicate') return outcome;
    if (outcome === 'fenced') {
      this.abandon();
      throw new FlowFenced(`flow ${r.flowId} was taken over`);
    }
    r.auditSeq = this.seq;
    r.auditHead = this.head;
    r.updatedAt = nowMicros();
    if (held) this.settledFirst();
    if (rows.length > 0)
      this.deps.outbox.emit(
        rows.map((row) => ({
          flowId: r.flowId,
          slot: r.slot,
          verb: r.verb,
          account: r.account,
          status: parts.status ?? r.status,
          row,
        })),
      );
    return 'ok';
  }
}
