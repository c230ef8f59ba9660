import type { Counter, Gauge } from 'prom-client';
import type { MetricsRegistry } from '@tm/telemetry';
import type { BatchOutcome } from '../batching/batch-writer.js';

/** What the persistence did, by family (/metrics and the 60 s snapshot). */
export class PersisterMetrics {
  readonly rows: Counter;
  readonly duplicates: Counter;
  readonly refused: Counter;
  readonly batches: Counter;
  readonly batchFailures: Counter;
  readonly lost: Counter;
  readonly lastBatchRows: Gauge;
  readonly pendingRows: Gauge;
  readonly ownedSlots: Gauge;
  readonly replays: Gauge;

  constructor(registry: MetricsRegistry) {
    this.rows = registry.counter('tm_persister_rows_total', 'Rows committed', ['family']);
    this.duplicates = registry.counter(
      'tm_persister_duplicate_rows_total',
      'Rows already stored (a redelivery), not written again',
      ['family'],
    );
    this.refused = registry.counter(
      'tm_persister_refused_rows_total',
      'Rows PostgreSQL refused, sent to _replays',
      ['family'],
    );
    this.batches = registry.counter('tm_persister_batches_total', 'Batches committed', ['family']);
    this.batchFailures = registry.counter(
      'tm_persister_batch_failures_total',
      'Batch commits that failed and were retried',
      ['family'],
    );
    this.lost = registry.counter(
      'tm_persister_lost_messages_total',
      'Messages that aged out of their stream before they were written',
      ['family'],
    );
    this.lastBatchRows = registry.gauge('tm_persister_last_batch_rows', 'Rows in the last committed batch', [
      'family',
    ]);
    this.pendingRows = registry.gauge('tm_persister_pending_rows', 'Rows read and not yet committed', [
      'family',
    ]);
    this.ownedSlots = registry.gauge('tm_persister_owned_slots', 'Slots this instance writes');
    this.replays = registry.gauge('tm_persister_replays', 'Rows in _replays by state (owned slots or not)', [
      'state',
    ]);
  }

  committed(family: string, outcome: BatchOutcome): void {
    this.rows.inc({ family }, outcome.rows);
    this.duplicates.inc({ family }, outcome.duplicates);
    this.refused.inc({ family }, outcome.refused.length);
    this.batches.inc({ family });
    this.lastBatchRows.set({ family }, outcome.rows);
  }
}
