// Reads one filtered stream in order from a given sequence through an ephemeral pull consumer with no
// acknowledgements, its messages taken straight off a core subscription. The client's own ordered consumer
// makes an object per message and parses every delivery subject in full; at the rates the persister reads
// (bench/persister) that halved throughput. Pulling a few thousand at a time, and only while the caller
// wants more, is the backpressure, and keeps each burst short enough that the batch being committed on
// the same event loop is not kept waiting. Order is checked the same way the client does: the consumer
// sequence must run without a hole, or the consumer is made again from the next stream sequence.
import { AckPolicy, DeliverPolicy, type JetStreamManager } from '@nats-io/jetstream';
import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from '@tm/telemetry';

const NANOS_PER_MS = 1_000_000;
const DOT = 46;
/** A consumer silent for this many heartbeats is gone (a server restart, a cut): it is made again. */
const MISSED_HEARTBEATS = 3;
/** Messages asked for at once: a burst the event loop handles in a few milliseconds. */
const PULL_SIZE = 2_000;
/** A pull waits this many heartbeats for messages before the server ends it (408) and another is sent. */
const PULL_HEARTBEATS = 5;

export interface OrderedStreamReaderOptions {
  nc: NatsConnection;
  jsm: JetStreamManager;
  stream: string;
  filterSubject: string;
  /** The first stream sequence to deliver. */
  startSeq: number;
  /** Called for each message in stream order; must not throw. */
  onMessage(subject: string, data: Uint8Array, seq: number): void;
  heartbeatMs: number;
  logger: Logger;
}

/**
 * Stream and consumer sequence of a delivery from its reply subject,
 * `$JS.ACK[.<domain>.<account>].<stream>.<consumer>.<delivered>.<streamSeq>.<consumerSeq>.<time>.<pending>[.<token>]`.
 */
export function deliverySequences(reply: string): { streamSeq: number; consumerSeq: number } | undefined {
  const dots: number[] = [];
  for (let i = 0; i < reply.length; i++) if (reply.charCodeAt(i) === DOT) dots.push(i);
  // 8 dots: the old form; 10 or 11: with domain and account hash (and a trailing token).
  const offset = dots.length === 8 ? 0 : dots.length >= 10 ? 2 : -1;
  if (offset < 0 || !reply.startsWith('$JS.ACK.')) return undefined;
  const field = (n: number) => Number(reply.slice(dots[n + offset]! + 1, dots[n + offset + 1]));
  const streamSeq = field(4);
  const consumerSeq = field(5);
  return Number.isSafeInteger(streamSeq) && Number.isSafeInteger(consumerSeq)
    ? { streamSeq, consumerSeq }
    : undefined;
}

export class OrderedStreamReader {
  private readonly o: OrderedStreamReaderOptions;
  private subscription: Subscription | undefined;
  private consumer: string | undefined;
  private nextStreamSeq: number;
  private nextConsumerSeq = 1;
  private heardAt = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private inbox = '';
  /** Messages still due on the pull in flight; 0 when none is. */
  private due = 0;
  private paused = false;
  private stopped = false;
  private restarting: Promise<void> | undefined;
  /** Bumped at every open and close: a delivery to an older subscription is ignored. */
  private generation = 0;

  constructor(options: OrderedStreamReaderOptions) {
    this.o = options;
    this.nextStreamSeq = options.startSeq;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.open();
    this.watchdog = setInterval(() => this.checkAlive(), this.o.heartbeatMs);
    this.watchdog.unref();
  }

  /** Asks for no more messages once the pull in flight is done. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    // Paused past the server's patience (PostgreSQL away a while): the consumer is gone, make it again.
    if (this.due === 0 && performance.now() - this.heardAt > this.inactiveThresholdMs / 2)
      this.reopen('resumed after a long pause');
    else this.pull();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    await this.restarting;
    await this.close();
  }

  private async open(): Promise<void> {
    const inbox = createInbox();
    this.inbox = inbox;
    this.due = 0;
    this.nextConsumerSeq = 1;
    this.heardAt = performance.now();
    const generation = ++this.generation;
    this.subscription = this.o.nc.subscribe(inbox, {
      callback: (error, msg) => {
        if (!error && generation === this.generation) this.deliver(msg);
      },
    });
    try {
      const info = await this.o.jsm.consumers.add(this.o.stream, {
        ack_policy: AckPolicy.None,
        filter_subject: this.o.filterSubject,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: this.nextStreamSeq,
        mem_storage: true,
        // The server removes it on its own if this process dies without deleting it.
        inactive_threshold: this.inactiveThresholdMs * NANOS_PER_MS,
      });
      this.consumer = info.name;
    } catch (error) {
      await this.close();
      throw error;
    }
    this.pull();
  }

  /** How long the server keeps the consumer without a pull. */
  private get inactiveThresholdMs(): number {
    return this.o.heartbeatMs * PULL_HEARTBEATS * 2;
  }

  /** Asks for the next PULL_SIZE messages, unless a pull is in flight or the caller paused. */
  private pull(): void {
    if (this.paused || this.due > 0 || !this.consumer || this.stopped) return;
    this.due = PULL_SIZE;
    this.o.nc.publish(
      `$JS.API.CONSUMER.MSG.NEXT.${this.o.stream}.${this.consumer}`,
      JSON.stringify({
        batch: PULL_SIZE,
        expires: this.o.heartbeatMs * PULL_HEARTBEATS * NANOS_PER_MS,
        idle_heartbeat: this.o.heartbeatMs * NANOS_PER_MS,
      }),
      { reply: this.inbox },
    );
  }

  private async close(): Promise<void> {
    this.generation += 1;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.due = 0;
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) await this.o.jsm.consumers.delete(this.o.stream, consumer).catch(() => false);
  }

  private deliver(msg: Msg): void {
    this.heardAt = performance.now();
    const status = msg.data.length === 0 ? msg.headers?.code : undefined;
    if (status !== undefined && status > 0) {
      // 100: an idle heartbeat while the pull waits. 404/408: the pull ended with what there was.
      // 409: the pull ended for another reason (a deleted consumer, a leader change): start afresh.
      if (status === 404 || status === 408) {
        this.due = 0;
        this.pull();
      } else if (status === 409) this.reopen(`pull ended: ${msg.headers?.description ?? ''}`);
      return;
    }
    const sequences = msg.reply ? deliverySequences(msg.reply) : undefined;
    if (!sequences) return;
    if (sequences.consumerSeq !== this.nextConsumerSeq) {
      this.reopen(`consumer sequence ${sequences.consumerSeq}, expected ${this.nextConsumerSeq}`);
      return;
    }
    this.nextConsumerSeq += 1;
    this.nextStreamSeq = sequences.streamSeq + 1;
    this.o.onMessage(msg.subject, msg.data, sequences.streamSeq);
    if (--this.due === 0) this.pull();
  }

  private checkAlive(): void {
    // Heartbeats come only while a pull waits: a paused reader hears nothing and is not worried.
    if (this.due > 0 && performance.now() - this.heardAt > this.o.heartbeatMs * MISSED_HEARTBEATS)
      this.reopen('no heartbeat');
  }

  /** Makes the consumer again from the next stream sequence not yet delivered. */
  private reopen(reason: string): void {
    if (this.stopped || this.restarting) return;
    this.o.logger.warn(
      { stream: this.o.stream, filter: this.o.filterSubject, from: this.nextStreamSeq, reason },
      'stream reader restarts',
    );
    this.restarting = (async () => {
      await this.close();
      while (!this.stopped) {
        try {
          await this.open();
          return;
        } catch (error) {
          this.o.logger.warn({ err: error, stream: this.o.stream }, 'stream reader not reopened, retrying');
          await new Promise((resolve) => setTimeout(resolve, this.o.heartbeatMs));
        }
      }
    })().finally(() => {
      this.restarting = undefined;
    });
  }
}
