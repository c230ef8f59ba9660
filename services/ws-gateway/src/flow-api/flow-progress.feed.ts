import type { Subscription } from '@nats-io/transport-node';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { decodePayload, FlowProgressV1, type Subjects } from '@tm/contracts';
import type { DeadLetterPublisher, NatsLink } from '@tm/messaging';
import { DEAD_LETTERS, LOGGER, NATS_LINK, SUBJECTS } from '@tm/service-host';
import type { Logger } from '@tm/telemetry';

export type ProgressListener = (batch: readonly FlowProgressV1[]) => void;

/**
 * Every flow's live progress (core NATS `tm.flow.progress.<slot>`), one subscription per gateway process:
 * validated where it enters (a message that fails FlowProgressV1 is dead-lettered with its reason) and
 * handed on in batches.
 *
 * A batch is handed on in the next macrotask (setImmediate), not from the NATS callback: the engine replies to
 * a start and then publishes its first progress on the same connection, and both may arrive in one read; the
 * reply's continuation, which makes the socket a follower of the flow, is a chain of microtasks that runs
 * before the batch, so that progress is not missed.
 */
@Injectable()
export class FlowProgressFeed implements OnModuleInit, OnApplicationShutdown {
  private subscription: Subscription | undefined;
  private readonly listeners: ProgressListener[] = [];
  private queued: FlowProgressV1[] = [];
  private flushing: NodeJS.Immediate | undefined;

  constructor(
    @Inject(NATS_LINK) private readonly link: NatsLink,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onProgress(listener: ProgressListener): void {
    this.listeners.push(listener);
  }

  async onModuleInit(): Promise<void> {
    this.subscription = this.link.connection.subscribe(this.subjects.all.flowProgress(), {
      callback: (error, msg) => {
        if (error !== null) return;
        const decoded = decodePayload(FlowProgressV1, msg.data);
        if (decoded.ok) this.queue(decoded.value);
        else
          this.deadLetters
            .send({ subject: msg.subject, payload: msg.data, reason: decoded.reason })
            .catch((failure: unknown) => this.logger.warn({ err: failure }, 'dead letter not stored'));
      },
    });
    // Interest is live at the server before the gateway serves: no progress of a flow started through it is lost.
    await this.link.connection.flush();
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    if (this.flushing !== undefined) clearImmediate(this.flushing);
    this.queued = [];
  }

  private queue(progress: FlowProgressV1): void {
    this.queued.push(progress);
    this.flushing ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    this.flushing = undefined;
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (error) {
        this.logger.warn({ err: error }, 'flow progress not delivered');
      }
    }
  }
}
