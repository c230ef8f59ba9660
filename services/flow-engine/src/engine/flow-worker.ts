// The flows of the slots this instance owns: new ones started, unfinished ones resumed when their slots
// arrive (restart, another instance gone), abandoned when their slots leave; and the three commands.
import { canonicalJson } from '@tm/audit-chain';
import {
  FLOW_VERB_INPUTS,
  FINISHED_FLOW_STATUSES,
  type FlowCancelCommandV1,
  type FlowGetCommandV1,
  type FlowStartCommandV1,
  type FlowStateV1,
} from '@tm/contracts';
import type { SlotMembership, MembershipChange } from '@tm/membership';
import { accountSlot, type SlotRange } from '@tm/sharding';
import type { Logger } from '@tm/telemetry';
import { createHash } from 'node:crypto';
import type { FlowStore } from '../store/flow-store.js';
import { VERBS } from '../verbs/index.js';
import type { JsonObject } from './flow-context.js';
import { FlowCommandError } from './flow-command.error.js';
import { FlowRunner, type RunnerDeps } from './flow-runner.js';

export interface FlowWorkerOptions {
  instance: string;
  startReplyWaitMs: number;
  resumeSweepMs: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class FlowWorker {
  private readonly runners = new Map<string, FlowRunner>();
  private readonly resuming = new Map<string, Promise<FlowRunner | undefined>>();
  private unsubscribe: (() => void) | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private running = false;
  private membership: SlotMembership | undefined;

  constructor(
    /** A fresh membership per start: a paused instance leaves, a resumed one joins again. */
    private readonly openMembership: () => Promise<SlotMembership>,
    private readonly store: FlowStore,
    private readonly deps: RunnerDeps,
    private readonly options: FlowWorkerOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const membership = await this.openMembership();
    this.membership = membership;
    this.unsubscribe = membership.onChange((change) => this.onMembership(change));
    await membership.start();
    this.sweepTimer = setInterval(
      () => void this.resumeIn(membership.ownedRanges()),
      this.options.resumeSweepMs,
    );
    this.sweepTimer.unref();
  }

  /** Stops every runner where it is (each resumes from its last commit on whoever owns it next) and leaves. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.sweepTimer);
    this.unsubscribe?.();
    for (const runner of this.runners.values()) runner.abandon();
    await Promise.allSettled([...this.runners.values()].map((r) => r.run(false)));
    this.runners.clear();
    await this.membership?.stop();
    this.membership = undefined;
  }

  owns(slot: number): boolean {
    return this.running && this.membership !== undefined && this.membership.owns(slot);
  }

  get activeFlows(): number {
    return this.runners.size;
  }

  async startFlow(command: FlowStartCommandV1): Promise<FlowStateV1> {
    const schema = FLOW_VERB_INPUTS[command.verb];
    const parsed = schema.safeParse(command.input);
    if (!parsed.success) {
      throw new FlowCommandError(
        'INVALID_PAYLOAD',
        `input does not fit the ${command.verb} verb`,
        parsed.error.issues.map((i) => `input.${i.path.join('.')}: ${i.message}`),
      );
    }
    const input = parsed.data as JsonObject;
    const fingerprint = sha256(canonicalJson({ account: command.account, verb: command.verb, input }));
    const flowId = `f${sha256(`${command.account}\n${command.idempotencyKey}`).slice(0, 31)}`;
    const existing = this.runners.get(flowId);
    if (existing) return this.replay(existing.record.fingerprint, fingerprint, existing.state(true));
    const created = await FlowRunner.create(
      {
        flowId,
        slot: accountSlot(command.account),
        account: command.account,
        verb: command.verb,
        input,
        idempotencyKey: command.idempotencyKey,
        fingerprint,
        requester: command.requester,
        correlationId: command.correlationId ?? flowId,
        createdAt: Date.now() * 1_000,
        updatedAt: Date.now() * 1_000,
      },
      this.options.instance,
      command.causationId ?? null,
      VERBS[command.verb],
      this.deps,
    );
    if (created === 'duplicate') {
      const stored = await this.store.flow(flowId);
      if (!stored) throw new FlowCommandError('INTERNAL', `flow ${flowId} was reported and is not there`);
      const state = (await this.runnerOf(flowId))?.state(true) ?? (await this.storedState(flowId, true));
      return this.replay(stored.fingerprint, fingerprint, state);
    }
    this.launch(created, false);
    await Promise.race([created.firstSettled, delay(this.options.startReplyWaitMs)]);
    return created.state(false);
  }

  async cancelFlow(command: FlowCancelCommandV1): Promise<FlowStateV1> {
    const runner = await this.runnerOf(command.flowId, command.account);
    if (!runner) {
      const state = await this.storedState(command.flowId, false, command.account);
      if (!FINISHED_FLOW_STATUSES.includes(state.status))
        throw new FlowCommandError(
          'UNAVAILABLE',
          `flow ${command.flowId} is moving to another instance; send the cancel again`,
        );
      throw new FlowCommandError(
        'FLOW_FINISHED',
        `flow ${command.flowId} has already ended as ${state.status}`,
      );
    }
    if (runner.status === 'running')
      await runner.requestCancel(command.requester, command.reason ?? null, command.causationId ?? null);
    return runner.state(false);
  }

  async getFlow(command: FlowGetCommandV1): Promise<FlowStateV1> {
    const runner = this.runners.get(command.flowId);
    if (runner && runner.record.account === command.account) return runner.state(false);
    return this.storedState(command.flowId, false, command.account);
  }

  private replay(storedFingerprint: string, fingerprint: string, state: FlowStateV1): FlowStateV1 {
    if (storedFingerprint !== fingerprint) {
      throw new FlowCommandError(
        'IDEMPOTENCY_CONFLICT',
        `idempotency key ${state.idempotencyKey} was used for a different request (flow ${state.flowId})`,
      );
    }
    return state;
  }

  private async storedState(flowId: string, replayed: boolean, account?: string): Promise<FlowStateV1> {
    const record = await this.store.flow(flowId);
    if (!record || (account !== undefined && record.account !== account))
      throw new FlowCommandError('NOT_FOUND', `no flow ${flowId} for account ${account ?? '?'}`);
    const journal = await this.store.journal(flowId);
    return FlowRunner.resume(record, journal, VERBS[record.verb], this.deps).state(replayed);
  }

  /** The runner of an unfinished flow this instance owns, resuming it if no runner holds it yet. */
  private async runnerOf(flowId: string, account?: string): Promise<FlowRunner | undefined> {
    const running = this.runners.get(flowId);
    if (running) return running;
    const record = await this.store.flow(flowId);
    if (!record || (account !== undefined && record.account !== account))
      throw new FlowCommandError('NOT_FOUND', `no flow ${flowId} for account ${account ?? '?'}`);
    if (FINISHED_FLOW_STATUSES.includes(record.status) || !this.owns(record.slot)) return undefined;
    return this.resume(flowId);
  }

  private onMembership(change: MembershipChange): void {
    for (const runner of this.runners.values()) {
      if (!this.owns(runner.record.slot)) {
        runner.abandon();
        this.runners.delete(runner.flowId);
      }
    }
    if (change.gained.length > 0) void this.resumeIn(change.gained);
  }

  private async resumeIn(ranges: readonly SlotRange[]): Promise<void> {
    if (!this.running) return;
    try {
      for (const flowId of await this.store.unfinishedIn(ranges)) {
        if (!this.runners.has(flowId)) await this.resume(flowId);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'unfinished flows not resumed yet; the next sweep retries');
    }
  }

  private resume(flowId: string): Promise<FlowRunner | undefined> {
    let pending = this.resuming.get(flowId);
    if (!pending) {
      pending = this.claim(flowId).finally(() => this.resuming.delete(flowId));
      this.resuming.set(flowId, pending);
    }
    return pending;
  }

  private async claim(flowId: string): Promise<FlowRunner | undefined> {
    const running = this.runners.get(flowId);
    if (running) return running;
    const record = await this.store.claim(flowId, this.options.instance);
    if (!record) return undefined;
    if (!this.owns(record.slot)) return undefined;
    const runner = FlowRunner.resume(record, await this.store.journal(flowId), VERBS[record.verb], this.deps);
    this.logger.info({ flowId, epoch: record.epoch }, 'flow resumed');
    this.launch(runner, true);
    return runner;
  }

  private launch(runner: FlowRunner, resumed: boolean): void {
    this.runners.set(runner.flowId, runner);
    void runner.run(resumed).finally(() => {
      if (this.runners.get(runner.flowId) === runner) this.runners.delete(runner.flowId);
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
