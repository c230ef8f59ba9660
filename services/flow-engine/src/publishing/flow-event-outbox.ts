import {
  encodePayload,
  type FlowEventV1,
  type FlowProgressV1,
  type FlowStatusV1,
  type Subjects,
} from '@tm/contracts';
import type { ReliablePublisher } from '@tm/messaging';
import type { Logger } from '@tm/telemetry';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import type { FlowVerbName } from '@tm/contracts';
import type { AuditRowWire } from '../store/flow-commit.js';
import type { JsonObject } from '../engine/flow-context.js';

/** A committed audit row with what a subscriber needs to place it. */
export interface CommittedEvent {
  flowId: string;
  slot: number;
  verb: FlowVerbName;
  account: string;
  status: FlowStatusV1;
  row: AuditRowWire;
}

const MARK_EVERY_MS = 200;
/** Rows older than this and still unpublished were left by a crash: the sweep sends them. */
const SWEEP_AFTER_MS = 10_000;
const SWEEP_BATCH = 500;

/**
 * Audit rows leave as events once committed: live progress on core NATS at once, and the durable
 * FlowEventV1 on the FLOW stream (message id = event id, so a resend is absorbed). A row is marked
 * published when the stream acknowledged it; a periodic sweep sends what a crash left unmarked.
 */
export class FlowEventOutbox {
  private readonly acked: { flowId: string; seq: number }[] = [];
  private markTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private marking: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly publisher: ReliablePublisher,
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly subjects: Subjects,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.markTimer) return;
    this.markTimer = setInterval(() => void this.mark(), MARK_EVERY_MS);
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_AFTER_MS);
    void this.sweep();
  }

  async stop(flushMs: number): Promise<void> {
    clearInterval(this.markTimer);
    clearInterval(this.sweepTimer);
    this.markTimer = undefined;
    await this.publisher.flush(flushMs);
    await this.mark();
  }

  emit(events: readonly CommittedEvent[]): void {
    for (const event of events) {
      const { row } = event;
      const progress: FlowProgressV1 = {
        v: 1,
        flowId: event.flowId,
        verb: event.verb,
        account: event.account,
        status: event.status,
        type: row.type as FlowProgressV1['type'],
        step: row.step_name,
        attempt: row.attempt,
        detail: row.detail,
        correlationId: row.correlation_id,
        tsInit: row.ts_init,
      };
      try {
        this.nc.publish(this.subjects.flowProgress(event.slot), encodePayload(progress));
      } catch (error) {
        this.logger.warn({ err: error, flowId: progress.flowId }, 'flow progress not sent');
      }
      this.toStream(event.slot, flowEventOf(progress, row), row.seq);
    }
  }

  private toStream(slot: number, event: FlowEventV1, seq: number): void {
    this.publisher.publish(this.subjects.flowEvent(slot), event, event.eventId).then(
      () => this.acked.push({ flowId: event.flowId, seq }),
      (error: unknown) =>
        this.logger.warn({ err: error, eventId: event.eventId }, 'flow event left for the sweep'),
    );
  }

  private mark(): Promise<void> {
    if (this.marking || this.acked.length === 0) return this.marking ?? Promise.resolve();
    const batch = this.acked.splice(0);
    this.marking = this.pool
      .query(
        `UPDATE ${this.schema}.flow_audit a SET published = true
         FROM unnest($1::text[], $2::int[]) AS p(flow_id, seq) WHERE a.flow_id = p.flow_id AND a.seq = p.seq`,
        [batch.map((b) => b.flowId), batch.map((b) => b.seq)],
      )
      .then(
        () => undefined,
        (error: unknown) => {
          this.acked.unshift(...batch);
          this.logger.warn({ err: error }, 'published flow events not marked yet');
        },
      )
      .finally(() => (this.marking = undefined));
    return this.marking;
  }

  /** Sends the rows a crash left unpublished (older than SWEEP_AFTER_MS, so live ones are not sent twice). */
  async sweep(): Promise<void> {
    try {
      const { rows } = await this.pool.query<{
        slot: number;
        verb: FlowVerbName;
        account: string;
        status: FlowStatusV1;
        flow_id: string;
        seq: number;
        event_id: string;
        type: string;
        step_name: string | null;
        attempt: number | null;
        correlation_id: string;
        detail: JsonObject;
        ts_init: string;
      }>(
        `SELECT f.slot, f.verb, f.account, f.status, a.flow_id, a.seq, a.event_id, a.type, a.step_name, a.attempt,
           a.correlation_id, a.detail, a.ts_init
         FROM ${this.schema}.flow_audit a JOIN ${this.schema}.flows f USING (flow_id)
         WHERE NOT a.published AND a.ts_init < $1 ORDER BY a.ts_init LIMIT ${SWEEP_BATCH}`,
        [(Date.now() - SWEEP_AFTER_MS) * 1_000],
      );
      for (const r of rows) {
        const event: FlowEventV1 = {
          v: 1,
          eventId: r.event_id,
          flowId: r.flow_id,
          verb: r.verb,
          account: r.account,
          type: r.type as FlowEventV1['type'],
          step: r.step_name,
          attempt: r.attempt,
          detail: r.detail,
          tsEvent: Number(r.ts_init),
          tsInit: Number(r.ts_init),
        };
        this.toStream(r.slot, event, r.seq);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'flow event sweep failed; next one retries');
    }
  }
}

function flowEventOf(progress: FlowProgressV1, row: AuditRowWire): FlowEventV1 {
  return {
    v: 1,
    eventId: row.event_id,
    flowId: progress.flowId,
    verb: progress.verb,
    account: progress.account,
    type: progress.type,
    step: progress.step,
    attempt: progress.attempt,
    detail: progress.detail,
    tsEvent: row.ts_init,
    tsInit: row.ts_init,
  };
}
