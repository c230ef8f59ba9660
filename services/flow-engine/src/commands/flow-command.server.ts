import {
  decodePayload,
  encodePayload,
  FlowCommandV1,
  type FlowStateV1,
  type ReplyEnvelope,
  type Subjects,
} from '@tm/contracts';
import { replyErrorOf, type DeadLetterPublisher } from '@tm/messaging';
import { accountSlot } from '@tm/sharding';
import type { Logger } from '@tm/telemetry';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { FlowWorker } from '../engine/flow-worker.js';
import { FlowCommandError } from '../engine/flow-command.error.js';

/**
 * `tm.flow.cmd.<slot>` request/reply. Every instance hears every slot and answers only those it owns:
 * one account's commands meet on one instance, in order. A command for a slot nobody owns yet goes
 * unanswered and the caller retries (its idempotency key makes a retried start safe).
 */
export class FlowCommandServer {
  private subscription: Subscription | undefined;
  private inFlight = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly worker: FlowWorker,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.subscription ??= this.nc.subscribe(this.subjects.all.flowCmd(), {
      callback: (error, msg) => {
        if (error) return this.logger.warn({ err: error }, 'flow command subscription error');
        const slot = Number(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
        if (!this.worker.owns(slot)) return;
        void this.handle(slot, msg);
      },
    });
  }

  /** Stops taking commands and waits (until the deadline) for those being handled. */
  async stop(deadline: number): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  private async handle(slot: number, msg: Msg): Promise<void> {
    this.inFlight += 1;
    try {
      const decoded = decodePayload(FlowCommandV1, msg.data);
      if (!decoded.ok) return await this.refuse(msg, decoded.reason, decoded.details);
      const command = decoded.value;
      if (accountSlot(command.account) !== slot) {
        return await this.refuse(
          msg,
          `account ${command.account} belongs to slot ${accountSlot(command.account)}`,
          [`account: send it on ${this.subjects.flowCmd(accountSlot(command.account))}`],
        );
      }
      const state =
        command.type === 'start'
          ? await this.worker.startFlow(command)
          : command.type === 'cancel'
            ? await this.worker.cancelFlow(command)
            : await this.worker.getFlow(command);
      this.respond(msg, { v: 1, ok: true, result: state });
    } catch (error) {
      if (error instanceof FlowCommandError && error.code === 'INVALID_PAYLOAD')
        return await this.refuse(msg, error.message, error.details ?? []);
      if (!(error instanceof FlowCommandError)) this.logger.error({ err: error }, 'flow command failed');
      this.respond(msg, { v: 1, ok: false, error: replyErrorOf(error) });
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Answers INVALID_PAYLOAD with the fields at fault and keeps the message in the dead-letter stream. */
  private async refuse(msg: Msg, reason: string, details: string[]): Promise<void> {
    this.respond(msg, { v: 1, ok: false, error: { code: 'INVALID_PAYLOAD', message: reason, details } });
    await this.deadLetters
      .send({ subject: msg.subject, payload: msg.data, reason: `${reason}: ${details.join('; ')}` })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'dead letter not stored'));
  }

  private respond(msg: Msg, envelope: ReplyEnvelope<FlowStateV1>): void {
    if (!msg.reply) return;
    try {
      msg.respond(encodePayload(envelope));
    } catch (error) {
      this.logger.warn({ err: error }, 'flow command reply not sent');
    }
  }
}
