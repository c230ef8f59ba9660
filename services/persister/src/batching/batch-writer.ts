// Commits one family's batch in one transaction: COPY of each table's rows, the digest's dirty buckets,
// the rows PostgreSQL refused (into `_replays`) and the family's checkpoint for the blocks it owns.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { PartitionKeeper } from '../tables/partition-keeper.js';
import type { PartitionedTable } from '../tables/partitioned-tables.js';
import { TABLE_COLUMNS } from '../tables/table-columns.js';
import { parseCopyLine } from './copy-text.js';
import type { DirtyMark } from './family-batch.js';

/** Where a batch's family has been read to, written with its rows. */
export interface CheckpointAdvance {
  family: string;
  /** The stream's creation time: a checkpoint of an older stream of the same name means nothing. */
  streamCreated: string;
  /** The blocks this instance owns: all of them are read up to `batch.lastSeq`. */
  blocks: readonly number[];
  /** The reader's retry round: a batch of a round in which an earlier batch failed is refused (OrderedBatchWriter). */
  epoch: number;
}

/** What a commit needs of a batch: its rows by table, the digest's dirty buckets, how far the stream was read. */
export interface BatchRows {
  readonly tables: ReadonlyMap<
    PartitionedTable,
    { readonly lines: readonly string[]; readonly days: Iterable<number> }
  >;
  readonly dirty: readonly DirtyMark[];
  readonly lastSeq: number;
}

/** Commits batches: BatchWriter on this thread, or BatchWriterThread on a worker thread. */
export interface BatchSink {
  write(batch: BatchRows, checkpoint: CheckpointAdvance): Promise<BatchOutcome>;
}

/**
 * Commits each family's batches one after the other in the order they were handed over, so a checkpoint
 * never passes a batch that is not committed: once one fails, the family's later batches of the same
 * epoch are refused unwritten, until the reader hands them over again in a new epoch.
 */
export class OrderedBatchWriter implements BatchSink {
  private readonly chains = new Map<string, { tail: Promise<unknown>; failedEpoch: number }>();

  constructor(private readonly writer: BatchSink) {}

  write(batch: BatchRows, checkpoint: CheckpointAdvance): Promise<BatchOutcome> {
    let chain = this.chains.get(checkpoint.family);
    if (!chain) this.chains.set(checkpoint.family, (chain = { tail: Promise.resolve(), failedEpoch: -1 }));
    const family = chain;
    const run = family.tail.then(async () => {
      if (checkpoint.epoch <= family.failedEpoch)
        throw new Error('an earlier batch of this family was not committed');
      try {
        return await this.writer.write(batch, checkpoint);
      } catch (error) {
        family.failedEpoch = Math.max(family.failedEpoch, checkpoint.epoch);
        throw error;
      }
    });
    family.tail = run.catch(() => undefined);
    return run;
  }
}

export interface RefusedRow {
  table: PartitionedTable;
  line: string;
  error: string;
  sqlstate: string | undefined;
}

export interface BatchOutcome {
  rows: number;
  /** Rows already present (a redelivery, or the same event sent twice): not written again. */
  duplicates: number;
  refused: RefusedRow[];
  /** Tables whose fast COPY failed, so the batch went row-safe. */
  fallbacks: number;
}

export interface BatchWriterOptions {
  pool: pg.Pool;
  schema: string;
  partitions: PartitionKeeper;
  /** When a refused row is first retried. */
  replayInitialDelayMs: number;
}

interface PgError {
  message: string;
  code?: string;
}

function asPgError(error: unknown): PgError {
  return error instanceof Error ? (error as PgError) : { message: String(error) };
}

export class BatchWriter implements BatchSink {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly partitions: PartitionKeeper;
  private readonly replayInitialDelayMs: number;

  constructor(opts: BatchWriterOptions) {
    this.pool = opts.pool;
    this.schema = opts.schema;
    this.partitions = opts.partitions;
    this.replayInitialDelayMs = opts.replayInitialDelayMs;
  }

  async write(batch: BatchRows, checkpoint: CheckpointAdvance): Promise<BatchOutcome> {
    for (const [table, rows] of batch.tables) await this.partitions.ensure(table, rows.days);
    const outcome: BatchOutcome = { rows: 0, duplicates: 0, refused: [], fallbacks: 0 };
    // The common case in as few round trips as PostgreSQL allows: BEGIN, one COPY per table, then the
    // checkpoint and COMMIT together. A row PostgreSQL refuses sends the whole batch down the row-safe path.
    if (await this.inTransaction((client) => this.copyAll(client, batch, checkpoint, outcome), true))
      return outcome;
    outcome.rows = 0;
    outcome.fallbacks = batch.tables.size;
    await this.inTransaction(async (client) => {
      for (const [table, rows] of batch.tables) {
        await client.query(
          `CREATE TEMP TABLE IF NOT EXISTS "staging_${table}" (LIKE "${this.schema}"."${table}") ON COMMIT DELETE ROWS`,
        );
        await this.insertRowSafe(client, table, rows.lines, outcome);
      }
      await this.markDirty(client, batch);
      await this.keepRefused(client, outcome.refused);
      await client.query(`${this.advanceSql(checkpoint, batch.lastSeq)}; COMMIT`);
    }, false);
    return outcome;
  }

  private async copyAll(
    client: pg.PoolClient,
    batch: BatchRows,
    checkpoint: CheckpointAdvance,
    outcome: BatchOutcome,
  ): Promise<void> {
    for (const [table, rows] of batch.tables) {
      await this.copy(client, `"${this.schema}"."${table}"`, table, rows.lines);
      outcome.rows += rows.lines.length;
    }
    await this.markDirty(client, batch);
    await client.query(`${this.advanceSql(checkpoint, batch.lastSeq)}; COMMIT`);
  }

  /**
   * Runs `work` (which commits) in a transaction on a pooled connection. With `rowErrorsFalse`, a row
   * error (see isRowError) rolls back and returns false; anything else rolls back and throws.
   */
  private async inTransaction(
    work: (client: pg.PoolClient) => Promise<void>,
    rowErrorsFalse: boolean,
  ): Promise<boolean> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await work(client);
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      if (rowErrorsFalse && !broken && isRowError(error)) return false;
      broken = true;
      throw error;
    } finally {
      // A connection that failed mid-transaction may be dead (a restarted server): never pooled again.
      client.release(broken);
    }
  }

  /**
   * Through a staging table with ON CONFLICT DO NOTHING (a row already there is a redelivery); a chunk
   * PostgreSQL still refuses is halved until the refused rows stand alone and go to `_replays`.
   */
  private async insertRowSafe(
    client: pg.PoolClient,
    table: PartitionedTable,
    lines: readonly string[],
    outcome: BatchOutcome,
  ): Promise<void> {
    const columns = TABLE_COLUMNS[table].map((c) => `"${c}"`).join(', ');
    await client.query('SAVEPOINT row_safe');
    try {
      await client.query(`TRUNCATE "staging_${table}"`);
      await this.copy(client, `"staging_${table}"`, table, lines);
      const inserted = await client.query(
        `INSERT INTO "${this.schema}"."${table}" (${columns}) SELECT ${columns} FROM "staging_${table}" ON CONFLICT DO NOTHING`,
      );
      await client.query('RELEASE SAVEPOINT row_safe');
      outcome.rows += inserted.rowCount ?? 0;
      outcome.duplicates += lines.length - (inserted.rowCount ?? 0);
      return;
    } catch (error) {
      if (!isRowError(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT row_safe');
      if (lines.length === 1) {
        const { message, code } = asPgError(error);
        outcome.refused.push({ table, line: lines[0]!, error: message, sqlstate: code });
        return;
      }
    }
    const half = Math.ceil(lines.length / 2);
    await this.insertRowSafe(client, table, lines.slice(0, half), outcome);
    await this.insertRowSafe(client, table, lines.slice(half), outcome);
  }

  private async copy(
    client: pg.PoolClient,
    target: string,
    table: PartitionedTable,
    lines: readonly string[],
  ) {
    const columns = TABLE_COLUMNS[table].map((c) => `"${c}"`).join(', ');
    const stream = client.query(copyFrom(`COPY ${target} (${columns}) FROM STDIN`));
    await pipeline(Readable.from([`${lines.join('\n')}\n`]), stream);
  }

  private async markDirty(client: pg.PoolClient, batch: BatchRows): Promise<void> {
    const marks = batch.dirty;
    if (marks.length === 0) return;
    await client.query(
      `INSERT INTO "${this.schema}".digest_dirty (kind, slot, key, bucket)
       SELECT kind, slot, key, to_timestamp(bucket_ms / 1000.0)
         FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[]) AS m(kind, slot, key, bucket_ms)
       ON CONFLICT (kind, key, bucket) DO NOTHING`,
      [
        marks.map((m) => m.kind),
        marks.map((m) => m.slot),
        marks.map((m) => m.key),
        marks.map((m) => m.bucketMs),
      ],
    );
  }

  private async keepRefused(client: pg.PoolClient, refused: readonly RefusedRow[]): Promise<void> {
    if (refused.length === 0) return;
    const values = refused.map((r) => {
      const fields = parseCopyLine(r.line);
      return JSON.stringify(Object.fromEntries(TABLE_COLUMNS[r.table].map((c, i) => [c, fields[i] ?? null])));
    });
    await client.query(
      `INSERT INTO "${this.schema}"._replays (target_table, slot, row_values, error, sqlstate, next_attempt_at)
       SELECT t, s, v::jsonb, e, c, now() + make_interval(secs => $6::double precision / 1000)
         FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[]) AS r(t, s, v, e, c)`,
      [
        refused.map((r) => r.table),
        refused.map((r) => Number(parseCopyLine(r.line)[0])),
        values,
        refused.map((r) => r.error),
        refused.map((r) => r.sqlstate ?? null),
        this.replayInitialDelayMs,
      ],
    );
  }

  /**
   * The checkpoint upsert as literal SQL, so it travels with COMMIT in one round trip: the values are
   * numbers, a family name from code and a timestamp from the NATS server, quoted all the same.
   */
  private advanceSql(checkpoint: CheckpointAdvance, seq: number): string {
    if (checkpoint.blocks.length === 0 || seq === 0) return 'SELECT 1';
    const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
    return `INSERT INTO "${this.schema}".checkpoints (family, block, stream_created, stream_seq)
       SELECT ${literal(checkpoint.family)}, block, ${literal(checkpoint.streamCreated)}::timestamptz, ${Math.trunc(seq)}
         FROM unnest('{${checkpoint.blocks.map((b) => Math.trunc(b)).join(',')}}'::smallint[]) AS b(block)
       ON CONFLICT (family, block) DO UPDATE SET
         stream_seq = CASE WHEN checkpoints.stream_created = excluded.stream_created
                           THEN GREATEST(checkpoints.stream_seq, excluded.stream_seq)
                           ELSE excluded.stream_seq END,
         stream_created = excluded.stream_created,
         updated_at = now()`;
  }
}

/**
 * Errors that are about the rows (a constraint, a value out of range, a duplicate key): classes 22 and
 * 23. Anything else (the server gone, a lock timeout) fails the whole batch, which is retried as it is.
 */
function isRowError(error: unknown): boolean {
  const code = asPgError(error).code;
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}
