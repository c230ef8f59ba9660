import type { DeadLetterInput } from '@tm/messaging';
import type { PartitionedTable } from '../tables/partitioned-tables.js';
import type { BatchRows } from './batch-writer.js';

/** A bucket the digest has to roll up again because rows in it were written. */
export interface DirtyMark {
  kind: 'candle_hour' | 'account_day';
  slot: number;
  key: string;
  /** The bucket's start, epoch milliseconds. */
  bucketMs: number;
}

/** Where a capture family puts the rows one message makes. */
export interface RowSink {
  /** One COPY line of `table`, whose partition column falls on `day` (days since the epoch). */
  add(table: PartitionedTable, line: string, day: number): void;
  markDirty(mark: DirtyMark): void;
}

export interface TableRows {
  readonly lines: string[];
  readonly days: Set<number>;
}

/**
 * The rows read from one family's stream since its last commit, and how far the stream was read: they
 * are committed together, so the position never runs ahead of the rows (ADR 0007).
 */
export class FamilyBatch implements RowSink {
  readonly tables = new Map<PartitionedTable, TableRows>();
  readonly dirty = new Map<string, DirtyMark>();
  rowCount = 0;
  /** Messages that cannot be written: dead-lettered before the batch commits. */
  readonly refused: DeadLetterInput[] = [];
  /** The stream sequence of the last message read into this batch (skipped ones included). */
  lastSeq = 0;
  /** When its first message was read (performance.now()): it is committed flushMs later at the latest. */
  firstReadAt: number | undefined;

  add(table: PartitionedTable, line: string, day: number): void {
    let rows = this.tables.get(table);
    if (!rows) {
      rows = { lines: [], days: new Set() };
      this.tables.set(table, rows);
    }
    rows.lines.push(line);
    rows.days.add(day);
    this.rowCount += 1;
  }

  /** What the writer commits (plain data: it may cross to the writer's thread). */
  rows(): BatchRows {
    return { tables: this.tables, dirty: [...this.dirty.values()], lastSeq: this.lastSeq };
  }

  markDirty(mark: DirtyMark): void {
    this.dirty.set(`${mark.kind}\u0000${mark.key}\u0000${mark.bucketMs}`, mark);
  }
}
