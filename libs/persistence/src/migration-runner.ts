// Applies and reverts SqlMigrations at deploy. We drive TypeORM's query runner ourselves rather than
// ds.runMigrations(): TypeORM demands a 13-digit timestamp in every migration name, keeps its own table
// shape (no applied_at) and takes no lock, so adapting would cost more code than it saves.
import type { DataSource, QueryRunner } from 'typeorm';
import { DEFAULT_LOCK_TIMEOUT_MS, withMigrationLock } from './migration-lock.js';
import { PersistenceError } from './persistence.exception.js';
import { MIGRATIONS_TABLE } from './service-data-source.js';
import { assertSchemaName } from './sql-identifier.js';
import type { SqlMigration } from './sql-migration.js';

export interface MigrationRunOptions {
  schema: string;
  migrations: readonly SqlMigration[];
  lockTimeoutMs?: number;
}

/** Applies the pending migrations in id order, each in its own transaction; returns the ids it applied. */
export async function runMigrations(
  ds: DataSource,
  opts: MigrationRunOptions,
): Promise<{ applied: string[] }> {
  const schema = assertSchemaName(opts.schema);
  const migrations = inIdOrder(opts.migrations);
  const table = `"${schema}"."${MIGRATIONS_TABLE}"`;
  return withMigrationLock(ds, schema, opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, async (runner) => {
    // Under the lock, so replicas never race on creating the schema itself.
    await runner.query(
      `CREATE SCHEMA IF NOT EXISTS "${schema}";
       CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const rows: { id: string }[] = await runner.query(`SELECT id FROM ${table}`);
    const done = new Set(rows.map((row) => row.id));
    const applied: string[] = [];
    for (const migration of migrations.filter((candidate) => !done.has(candidate.id))) {
      await inMigrationTransaction(runner, schema, migration.id, 'up', async () => {
        await runner.query(migration.up(schema));
        await runner.query(`INSERT INTO ${table} (id, applied_at) VALUES ($1, now())`, [migration.id]);
      });
      applied.push(migration.id);
    }
    return { applied };
  });
}

/** Runs `down` of the most recently applied migration and forgets it; undefined when none is applied. */
export async function revertLastMigration(
  ds: DataSource,
  opts: { schema: string; migrations: readonly SqlMigration[] },
): Promise<string | undefined> {
  const schema = assertSchemaName(opts.schema);
  const known = new Map(inIdOrder(opts.migrations).map((migration) => [migration.id, migration]));
  const table = `"${schema}"."${MIGRATIONS_TABLE}"`;
  return withMigrationLock(ds, schema, DEFAULT_LOCK_TIMEOUT_MS, async (runner) => {
    const [{ present }]: { present: boolean }[] = await runner.query(
      `SELECT to_regclass($1) IS NOT NULL AS present`,
      [table],
    );
    if (!present) return undefined;
    const newest: { id: string }[] = await runner.query(
      `SELECT id FROM ${table} ORDER BY applied_at DESC, id DESC LIMIT 1`,
    );
    if (newest.length === 0) return undefined;
    const id = newest[0].id;
    const migration = known.get(id);
    if (!migration) {
      throw new PersistenceError(
        'UNKNOWN_MIGRATION',
        `newest applied migration ${id} in "${schema}" is not among those given`,
        {
          migrationId: id,
        },
      );
    }
    await inMigrationTransaction(runner, schema, id, 'down', async () => {
      await runner.query(migration.down(schema));
      await runner.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
    });
    return id;
  });
}

async function inMigrationTransaction(
  runner: QueryRunner,
  schema: string,
  migrationId: string,
  direction: 'up' | 'down',
  work: () => Promise<void>,
): Promise<void> {
  await runner.startTransaction();
  try {
    // Unqualified names land in the service's schema whatever search_path the data source was given.
    await runner.query(`SET LOCAL search_path = "${schema}", public`);
    await work();
    await runner.commitTransaction();
  } catch (error) {
    await runner.rollbackTransaction().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new PersistenceError(
      'MIGRATION_FAILED',
      `migration ${migrationId} (${direction}) failed in "${schema}": ${reason}`,
      {
        migrationId,
        cause: error,
      },
    );
  }
}

function inIdOrder(migrations: readonly SqlMigration[]): SqlMigration[] {
  const seen = new Set<string>();
  for (const { id } of migrations) {
    if (seen.has(id))
      throw new PersistenceError('DUPLICATE_MIGRATION_ID', `migration id ${id} is given twice`, {
        migrationId: id,
      });
    seen.add(id);
  }
  // Code-point order, not locale order, so every machine agrees on the sequence.
  return [...migrations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
