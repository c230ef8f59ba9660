// Reads one family's stream from where this instance's blocks were last written, skips (unparsed) the
// messages of slots it does not own or already wrote, and commits batches in order: a full one at once,
// a partial one flushMs after its first message. Nothing is acknowledged to JetStream; the checkpoint
// committed with the rows is the acknowledgement (ADR 0007), so a crash re-reads and never loses.
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodePayload } from '@tm/contracts';
import type { DeadLetterInput } from '@tm/messaging';
import { blockOfSlot } from '@tm/sharding';
import type { Logger } from '@tm/telemetry';
import type { BatchOutcome, BatchSink } from '../batching/batch-writer.js';
import { FamilyBatch } from '../batching/family-batch.js';
import type { CaptureFamily } from '../capture/capture-family.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { OrderedStreamReader } from './ordered-stream-reader.js';

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 30_000;
/** Full batches waiting for their commit before the stream is held back. */
const MAX_QUEUED_BATCHES = 3;
const HEARTBEAT_MS = 2_000;

export interface FamilyReaderOptions {
  family: CaptureFamily;
  stream: string;
  filterSubject: string;
  nc: NatsConnection;
  jsm: JetStreamManager;
  writer: BatchSink;
  checkpoints: CheckpointStore;
  batchRows: number;
  flushMs: number;
  deadLetter(input: DeadLetterInput): Promise<void>;
  onCommitted(family: string, outcome: BatchOutcome, batch: FamilyBatch): void;
  onFlushFailed(family: string, error: unknown): void;
  /** Messages that aged out of the stream before this instance read them. */
  onLost(family: string, count: number): void;
  logger: Logger;
}

export class FamilyReader {
  private readonly o: FamilyReaderOptions;
  private blocks: number[] = [];
  /** Per owned block, the last sequence already written: messages up to it are skipped. */
  private written = new Map<number, number>();
  private streamCreated = '';
  private batch = new FamilyBatch();
  /** Closed batches, committed one after the other in stream order. */
  private readonly queue: FamilyBatch[] = [];
  private committing: Promise<void> | undefined;
  /** The writer's answers for the first queued batches, in queue order. */
  private submitted: Promise<BatchOutcome>[] = [];
  /** Calls to the writer, one after the other. */
  private submitting: Promise<unknown> = Promise.resolve();
  /** Bumped when a batch fails: the writer refuses the batches handed over before the failure was known. */
  private epoch = 0;
  private retrying = false;
  private reader: OrderedStreamReader | undefined;
  private timer: NodeJS.Timeout | undefined;
  private giveUpAt = Infinity;

  constructor(options: FamilyReaderOptions) {
    this.o = options;
  }

  get family(): string {
    return this.o.family.name;
  }

  /** Rows read and not yet committed. */
  get pendingRows(): number {
    return this.queue.reduce((sum, b) => sum + b.rowCount, this.batch.rowCount);
  }

  /** Starts reading for `blocks` (this instance's share); an empty share reads nothing. */
  async start(blocks: readonly number[]): Promise<void> {
    this.giveUpAt = Infinity;
    this.blocks = [...blocks];
    if (this.blocks.length === 0) return;
    const info = await this.o.jsm.streams.info(this.o.stream);
    this.streamCreated = info.created;
    const stored = await this.o.checkpoints.load(this.family, info.created);
    this.written = new Map(this.blocks.map((b) => [b, stored.get(b) ?? 0]));
    const from = Math.min(...this.written.values()) + 1;
    if (info.state.messages > 0 && info.state.first_seq > from && from > 1) {
      // Our share was last written at from - 1, and the stream no longer holds what came after it.
      this.o.onLost(this.family, info.state.first_seq - from);
      this.o.logger.error(
        { family: this.family, from, firstInStream: info.state.first_seq },
        'messages aged out of the stream before they were written',
      );
    }
    this.batch = new FamilyBatch();
    this.reader = new OrderedStreamReader({
      nc: this.o.nc,
      jsm: this.o.jsm,
      stream: this.o.stream,
      filterSubject: this.o.filterSubject,
      startSeq: from,
      onMessage: (subject, data, seq) => this.accept(subject, data, seq),
      heartbeatMs: HEARTBEAT_MS,
      logger: this.o.logger,
    });
    await this.reader.start();
    this.timer = setInterval(() => this.onTimer(), Math.min(1_000, Math.max(10, this.o.flushMs / 4)));
    this.o.logger.info({ family: this.family, from, blocks: this.blocks.length }, 'reading');
  }

  /**
   * Stops reading and commits what was read, retrying until the deadline (epoch ms, see setDeadline):
   * after it, what is not committed stays unwritten and is read again by whoever owns its blocks next.
   */
  async stop(deadline?: number): Promise<void> {
    if (deadline !== undefined) this.setDeadline(deadline);
    clearInterval(this.timer);
    this.timer = undefined;
    const reader = this.reader;
    this.reader = undefined;
    await reader?.stop();
    this.close();
    while (this.committing || this.queue.length > 0) await this.kick();
  }

  /** From now on, a batch that cannot be committed by `deadline` (epoch ms) is left to be read again. */
  setDeadline(deadline: number): void {
    this.giveUpAt = Math.min(this.giveUpAt, deadline);
  }

  /** One message, in stream order (synchronous: the stream reader calls it as messages arrive). */
  private accept(subject: string, data: Uint8Array, seq: number): void {
    const batch = this.batch;
    try {
      this.rowsOf(subject, data, seq, batch);
    } catch (error) {
      // A payload the schema took but the rows could not be made of: kept as a dead letter, never a crash.
      batch.refused.push({ subject, payload: data, reason: `no rows made: ${(error as Error).message}` });
    }
    batch.lastSeq = seq;
    batch.firstReadAt ??= performance.now();
    if (batch.rowCount >= this.o.batchRows) this.close();
  }

  private rowsOf(subject: string, data: Uint8Array, seq: number, batch: FamilyBatch): void {
    const family = this.o.family;
    const slot = family.slotOf(subject);
    if (slot === undefined) {
      batch.refused.push({ subject, payload: data, reason: 'the subject carries no valid slot' });
      return;
    }
    const written = this.written.get(blockOfSlot(slot));
    // Not this instance's block, or written before: skipped without being parsed.
    if (written === undefined || seq <= written) return;
    const decoded = family.decode ? family.decode(data) : decodePayload(family.schema, data);
    if (decoded.ok) family.rows(decoded.value, slot, batch);
    else batch.refused.push({ subject, payload: data, reason: decoded.reason });
  }

  private onTimer(): void {
    const first = this.batch.firstReadAt;
    if (first !== undefined && this.queue.length === 0 && performance.now() - first >= this.o.flushMs)
      this.close();
  }

  /** Queues the filling batch and hands it to the writer at once; with too many waiting, the stream is held back. */
  private close(): void {
    if (this.batch.lastSeq === 0) return;
    this.queue.push(this.batch);
    this.batch = new FamilyBatch();
    if (this.queue.length >= MAX_QUEUED_BATCHES) this.reader?.pause();
    if (!this.retrying) this.submitQueued();
    void this.kick();
  }

  /** Follows the queued batches to their commit unless that is already under way. */
  private kick(): Promise<void> {
    this.committing ??= this.followCommits().finally(() => {
      this.committing = undefined;
      if (this.queue.length > 0) void this.kick();
    });
    return this.committing;
  }

  /** Hands every queued batch not yet handed over to the writer, in stream order. */
  private submitQueued(): void {
    while (this.submitted.length < this.queue.length) {
      const written = this.submit(this.queue[this.submitted.length]!);
      // Followed in order by followCommits; a later one may fail first, which is not an unhandled rejection.
      written.catch(() => undefined);
      this.submitted.push(written);
    }
  }

  /**
   * One batch to the writer, after its dead letters are stored (the position must not pass a refused
   * message before that). Calls to the writer keep the queue's order; the writer commits a family's
   * batches in that order and refuses those of an epoch whose earlier batch failed (OrderedBatchWriter).
   */
  private submit(batch: FamilyBatch): Promise<BatchOutcome> {
    const epoch = this.epoch;
    const called = this.submitting.then(async () => {
      if (epoch !== this.epoch) throw new Error('an earlier batch was not committed');
      try {
        await this.storeDeadLetters(batch);
      } catch (error) {
        // No later batch of this epoch may reach the writer now.
        this.epoch += 1;
        throw error;
      }
      const checkpoint = {
        family: this.family,
        streamCreated: this.streamCreated,
        blocks: this.blocks,
        epoch,
      };
      return { written: this.o.writer.write(batch.rows(), checkpoint) };
    });
    this.submitting = called.catch(() => undefined);
    return called.then((call) => call.written);
  }

  private async storeDeadLetters(batch: FamilyBatch): Promise<void> {
    const letters = batch.refused.splice(0);
    const results = await Promise.allSettled(letters.map((letter) => this.o.deadLetter(letter)));
    results.forEach((result, i) => result.status === 'rejected' && batch.refused.push(letters[i]!));
    if (batch.refused.length > 0) throw new Error(`${batch.refused.length} dead letters not stored`);
  }

  /**
   * Waits for each batch's commit in order. A failure fails the batches handed over after it too: once
   * all have settled, the whole queue goes again in a new epoch after a backoff, until the deadline.
   */
  private async followCommits(): Promise<void> {
    let delay = RETRY_FIRST_MS;
    while (this.queue.length > 0) {
      if (this.submitted.length === 0) this.submitQueued();
      try {
        const outcome = await this.submitted[0]!;
        const batch = this.queue.shift()!;
        this.submitted.shift();
        for (const block of this.blocks) {
          const before = this.written.get(block);
          if (before !== undefined) this.written.set(block, Math.max(before, batch.lastSeq));
        }
        this.o.onCommitted(this.family, outcome, batch);
        if (this.queue.length < MAX_QUEUED_BATCHES) this.reader?.resume();
        delay = RETRY_FIRST_MS;
      } catch (error) {
        this.retrying = true;
        await Promise.allSettled(this.submitted);
        this.submitted = [];
        this.epoch += 1;
        this.o.onFlushFailed(this.family, error);
        if (Date.now() + delay > this.giveUpAt) {
          this.o.logger.warn(
            { family: this.family, rows: this.pendingRows },
            'batches not committed before the deadline: they will be read again',
          );
          // These stay unwritten and are read again by the next owner.
          this.queue.length = 0;
          this.retrying = false;
          return;
        }
        this.o.logger.warn(
          { err: error, family: this.family, retryInMs: delay },
          'batch not committed, retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, RETRY_MAX_MS);
        this.retrying = false;
      }
    }
  }
}
