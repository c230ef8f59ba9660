// Retries the rows PostgreSQL refused (`_replays`) on the product's policy: a few per tick, each after
// an exponentially growing delay, until written or out of attempts (then kept as 'exhausted' for an
// operator). Each instance retries the rows of the slots it owns.
import type pg from 'pg';
import type { SlotRange } from '@tm/sharding';
import type { Logger } from '@tm/telemetry';
import type { PartitionKeeper } from '../tables/partition-keeper.js';
import { dayOf } from '../tables/partition-keeper.js';
import { isPartitionedTable, PARTITIONED_TABLES } from '../tables/partitioned-tables.js';

/** The longest wait between two attempts of one row, whatever the attempt count. */
const MAX_REPLAY_DELAY_MS = 3_600_000;

export interface ReplayPolicy {
  maxRetries: number;
  perTick: number;
  initialDelayMs: number;
}

export interface ReplayTickResult {
  replayed: number;
  failed: number;
  exhausted: number;
}

interface ReplayRow {
  id: string;
  target_table: string;
  row_values: Record<string, string | null>;
  attempts: number;
}

/** The wait before attempt `attempts + 1`: initialDelay × 2^attempts, capped. */
export function replayDelayMs(policy: ReplayPolicy, attempts: number): number {
  return Math.min(policy.initialDelayMs * 2 ** Math.min(attempts, 30), MAX_REPLAY_DELAY_MS);
}

export class ReplayWorker {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly partitions: PartitionKeeper,
    private readonly policy: ReplayPolicy,
    private readonly logger: Logger,
  ) {}

  /** One tick: the due rows of `owned` slots, at most policy.perTick of them. */
  async tick(owned: readonly SlotRange[]): Promise<ReplayTickResult> {
    const result: ReplayTickResult = { replayed: 0, failed: 0, exhausted: 0 };
    if (owned.length === 0) return result;
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<ReplayRow>(
        `SELECT id, target_table, row_values, attempts FROM "${this.schema}"._replays
          WHERE state = 'pending' AND next_attempt_at <= now()
            AND EXISTS (SELECT 1 FROM unnest($1::int[], $2::int[]) AS r(f, l) WHERE slot BETWEEN f AND l)
          ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [owned.map((r) => r.first), owned.map((r) => r.last), this.policy.perTick],
      );
      for (const row of rows) await this.retry(client, row, result);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async retry(client: pg.PoolClient, row: ReplayRow, result: ReplayTickResult): Promise<void> {
    const table = row.target_table;
    if (isPartitionedTable(table)) {
      const time = row.row_values[PARTITIONED_TABLES[table].column];
      const ms = time ? Date.parse(time) : NaN;
      if (Number.isFinite(ms)) await this.partitions.ensure(table, [dayOf(ms)]);
    }
    await client.query('SAVEPOINT replay');
    try {
      if (!isPartitionedTable(table)) throw new Error(`unknown table ${table}`);
      await client.query(
        `INSERT INTO "${this.schema}"."${table}"
         SELECT * FROM jsonb_populate_record(NULL::"${this.schema}"."${table}", $1::jsonb) ON CONFLICT DO NOTHING`,
        [JSON.stringify(row.row_values)],
      );
      await client.query(`DELETE FROM "${this.schema}"._replays WHERE id = $1`, [row.id]);
      await client.query('RELEASE SAVEPOINT replay');
      result.replayed += 1;
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT replay');
      const attempts = row.attempts + 1;
      const exhausted = attempts >= this.policy.maxRetries;
      await client.query(
        `UPDATE "${this.schema}"._replays
            SET attempts = $2, last_attempt_at = now(), error = $3,
                state = CASE WHEN $4 THEN 'exhausted' ELSE 'pending' END,
                next_attempt_at = now() + make_interval(secs => $5::double precision / 1000)
          WHERE id = $1`,
        [
          row.id,
          attempts,
          error instanceof Error ? error.message : String(error),
          exhausted,
          replayDelayMs(this.policy, attempts),
        ],
      );
      if (exhausted) {
        result.exhausted += 1;
        this.logger.error({ id: row.id, table, attempts }, 'refused row out of retries: kept as exhausted');
      } else result.failed += 1;
    }
  }
}
