import type { ExecutionEventV1, Subjects } from '@tm/contracts';
import type { ReliablePublisher } from '@tm/messaging';
import type { Logger } from '@tm/telemetry';
import type { DataSource, EntityManager } from 'typeorm';

/** Events read, published and deleted per pass. */
const BATCH = 500;
/** Under a stream of commits, passes start at most this often: the latency an event may gain. */
const PASS_INTERVAL_MS = 5;

interface OutboxRow {
  event_id: string;
  subject_slot: number;
  payload: ExecutionEventV1;
}

/**
 * Execution events are written to `execution_outbox` in the transaction that changes the state they
 * describe, then published to JetStream (message id = eventId) and deleted once acknowledged. A crash
 * between the two loses nothing: the next flush (at start, on every commit, every few seconds) sends
 * what is left, and JetStream's de-duplication absorbs a resend.
 */
export class ExecutionOutbox {
  private flushing: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly publisher: ReliablePublisher,
    private readonly subjects: Subjects,
    private readonly logger: Logger,
  ) {}

  /** Queues events inside the caller's transaction. */
  async enqueue(manager: EntityManager, slot: number, events: readonly ExecutionEventV1[]): Promise<void> {
    if (events.length === 0) return;
    const values = events.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ');
    await manager.query(
      `INSERT INTO ${this.schema}.execution_outbox (event_id, subject_slot, payload) VALUES ${values}
       ON CONFLICT (event_id) DO NOTHING`,
      events.flatMap((event) => [event.eventId, slot, JSON.stringify(event)]),
    );
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
    void this.flush();
  }

  /** Publishes everything queued, oldest first; concurrent calls share one pass and ask for another. */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = this.drain()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'execution outbox flush failed; retrying'))
      .finally(() => {
        this.flushing = undefined;
        if (this.again) {
          this.again = false;
          void this.flush();
        }
      });
    return this.flushing;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
  }

  /**
   * One statement per batch while events keep coming: the batch just published is deleted by the same
   * statement that reads the next (which skips it, as it reads the snapshot from before the delete).
   * A batch shorter than the limit was all there was; anything committed since called flush() and set
   * `again`, so the pass goes on only then, instead of reading an empty table to find out — and no
   * sooner than PASS_INTERVAL_MS after the previous read, so a stream of commits shares passes.
   */
  private async drain(): Promise<void> {
    let published: string[] = [];
    for (;;) {
      this.again = false;
      const readAt = Date.now();
      const rows: OutboxRow[] = await this.dataSource.query(
        published.length === 0
          ? `SELECT event_id, subject_slot, payload FROM ${this.schema}.execution_outbox
             ORDER BY created_at, event_id LIMIT ${BATCH}`
          : `WITH published AS (DELETE FROM ${this.schema}.execution_outbox WHERE event_id = ANY($1))
             SELECT event_id, subject_slot, payload FROM ${this.schema}.execution_outbox
             WHERE NOT (event_id = ANY($1)) ORDER BY created_at, event_id LIMIT ${BATCH}`,
        published.length === 0 ? [] : [published],
      );
      if (rows.length === 0) return;
      // Published in order; the publisher keeps one in flight, so the stream sees them in this order.
      await Promise.all(
        rows.map((row) =>
          this.publisher.publish(this.subjects.exec(row.subject_slot), row.payload, row.event_id),
        ),
      );
      published = rows.map((row) => row.event_id);
      if (rows.length < BATCH && (!this.again || this.stopping)) {
        await this.dataSource.query(`DELETE FROM ${this.schema}.execution_outbox WHERE event_id = ANY($1)`, [
          published,
        ]);
        return;
      }
      if (rows.length < BATCH) await sleep(PASS_INTERVAL_MS - (Date.now() - readAt));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
