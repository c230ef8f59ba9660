// Daily partitions (`<table>_pYYYYMMDD`, [day, day + 1) in UTC): created before rows need them, dropped
// whole once past the table's retention. Creation runs in a short transaction of its own, under an
// advisory lock, so two instances never race on the same DDL and a batch's transaction holds no DDL lock.
import type pg from 'pg';
import type { PartitionedTable } from './partitioned-tables.js';

const DAY_MS = 86_400_000;
/** Serialises partition DDL among instances (any constant both sides agree on). */
const PARTITION_DDL_LOCK = 7_400_611;
const PARTITION_NAME = /^(.+)_p(\d{4})(\d{2})(\d{2})$/;

/** Days since the epoch (UTC) of a time in epoch milliseconds. */
export function dayOf(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS);
}

export function partitionName(table: PartitionedTable, day: number): string {
  return `${table}_p${new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

export class PartitionKeeper {
  /** `<table>:<day>` of every partition known to exist: the common case costs a Set lookup. */
  private readonly known = new Set<string>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  /** Makes sure each of `days` (see dayOf) has a partition of `table`. */
  async ensure(table: PartitionedTable, days: Iterable<number>): Promise<void> {
    const missing = [...new Set(days)].filter((day) => !this.known.has(`${table}:${day}`));
    if (missing.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_DDL_LOCK]);
      for (const day of missing) {
        const from = new Date(day * DAY_MS).toISOString();
        const to = new Date((day + 1) * DAY_MS).toISOString();
        await client.query(
          `CREATE TABLE IF NOT EXISTS "${this.schema}"."${partitionName(table, day)}" PARTITION OF "${this.schema}"."${table}" FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    for (const day of missing) this.known.add(`${table}:${day}`);
  }

  /** Drops the partitions of `table` that end at or before `now - retentionDays`; returns their names. */
  async dropExpired(table: PartitionedTable, retentionDays: number, nowMs = Date.now()): Promise<string[]> {
    const firstKeptDay = dayOf(nowMs) - retentionDays;
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = p.relnamespace
        WHERE n.nspname = $1 AND p.relname = $2`,
      [this.schema, table],
    );
    const dropped: string[] = [];
    for (const { name } of rows) {
      const match = PARTITION_NAME.exec(name);
      if (!match || match[1] !== table) continue;
      const day = dayOf(Date.UTC(Number(match[2]), Number(match[3]) - 1, Number(match[4])));
      // The partition holds [day, day + 1): all of it is older than the first kept day.
      if (day + 1 > firstKeptDay) continue;
      await this.pool.query(`DROP TABLE IF EXISTS "${this.schema}"."${name}"`);
      this.known.delete(`${table}:${day}`);
      dropped.push(name);
    }
    return dropped.sort();
  }
}
