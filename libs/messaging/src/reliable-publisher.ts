import { encodePayload } from '@tm/contracts';
import { PublisherClosedError, PublishQueueFullError } from './messaging.exception.js';
import type { NatsLink } from './nats-link.js';

export interface ReliablePublisherOptions {
  retryInitialMs?: number;
  retryMaxMs?: number;
  maxQueued?: number;
  /**
   * Messages sent at once, each retried until acknowledged; the next batch waits for the whole batch.
   * 1 (the default) keeps the stream's order equal to the order of calls; more is for messages whose
   * order does not matter (each carries its own key), at many times the rate.
   */
  maxInFlight?: number;
  /** Each failed attempt (it is retried); defaults to a warning on the link's logger. */
  onError?: (error: unknown) => void;
}

interface QueuedMessage {
  subject: string;
  data: Uint8Array;
  msgId: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** How long one attempt waits for the stream's ack before it is retried under the same message id. */
const ACK_TIMEOUT_MS = 2_000;

/**
 * JetStream publishing that survives reconnects: one message in flight at a time, each retried with backoff
 * under its message id (the stream's dedupe window absorbs a retry of a message that was in fact stored)
 * until acknowledged. One in flight is what keeps the stream's order equal to the order of calls.
 */
export class ReliablePublisher {
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly maxQueued: number;
  private readonly maxInFlight: number;
  private readonly onError: (error: unknown) => void;
  private readonly queue: QueuedMessage[] = [];
  private readonly idleWaiters = new Set<(flushed: boolean) => void>();
  private sending = false;
  private closed = false;
  private readonly cancelBackoffs = new Set<() => void>();

  constructor(
    private readonly link: NatsLink,
    opts: ReliablePublisherOptions = {},
  ) {
    this.retryInitialMs = opts.retryInitialMs ?? 100;
    this.retryMaxMs = opts.retryMaxMs ?? 5_000;
    this.maxQueued = opts.maxQueued ?? 100_000;
    this.maxInFlight = opts.maxInFlight ?? 1;
    this.onError =
      opts.onError ?? ((error) => link.logger.warn({ err: error }, 'jetstream publish failed, retrying'));
  }

  /** Resolves once the stream acknowledged the message; rejects only on close() or when the queue is full. */
  publish(subject: string, payload: unknown, msgId: string): Promise<void> {
    if (this.closed) return Promise.reject(new PublisherClosedError());
    if (this.queue.length >= this.maxQueued) return Promise.reject(new PublishQueueFullError(this.maxQueued));
    // Encoded now, so a caller mutating the object afterwards does not change what is sent.
    const data = encodePayload(payload);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ subject, data, msgId, resolve, reject });
      void this.sendQueued();
    });
  }

  /** Messages not yet acknowledged, the one in flight included. */
  get pending(): number {
    return this.queue.length;
  }

  /** True when every queued message was acknowledged within the timeout. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (flushed: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve(flushed);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  /** Stops retrying and rejects every message still queued. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cancel of [...this.cancelBackoffs]) cancel();
    const error = new PublisherClosedError();
    for (const message of this.queue.splice(0)) message.reject(error);
    for (const waiter of [...this.idleWaiters]) waiter(false);
  }

  private async sendQueued(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const batch = this.queue.slice(0, this.maxInFlight);
        const delivered = await Promise.all(batch.map((message) => this.deliver(message)));
        if (delivered.includes(false)) break;
        this.queue.splice(0, batch.length);
        for (const message of batch) message.resolve();
      }
    } finally {
      this.sending = false;
    }
    if (this.queue.length === 0 && !this.closed) for (const waiter of [...this.idleWaiters]) waiter(true);
  }

  /** Retries until the stream acknowledges (true) or the publisher closes (false). */
  private async deliver(message: QueuedMessage): Promise<boolean> {
    let delayMs = this.retryInitialMs;
    for (;;) {
      try {
        await this.link.jetstream.publish(message.subject, message.data, {
          msgID: message.msgId,
          timeout: ACK_TIMEOUT_MS,
        });
        return !this.closed;
      } catch (error) {
        if (this.closed) return false;
        this.onError(error);
      }
      // Half fixed, half random: publishers cut off together do not come back in lockstep.
      await this.backoff(delayMs / 2 + Math.random() * (delayMs / 2));
      if (this.closed) return false;
      delayMs = Math.min(delayMs * 2, this.retryMaxMs);
    }
  }

  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = () => {
        clearTimeout(timer);
        this.cancelBackoffs.delete(cancel);
        resolve();
      };
      const timer = setTimeout(cancel, ms);
      this.cancelBackoffs.add(cancel);
    });
  }
}
