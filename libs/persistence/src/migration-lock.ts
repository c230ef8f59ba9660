// One session per migration run, holding a PostgreSQL advisory lock keyed on the schema: replicas
// that start together queue here, one applies, the others then find nothing left to do.
import type { DataSource, QueryRunner } from 'typeorm';
import { PersistenceError } from './persistence.exception.js';

/** First half of the two-int advisory key ('tmmg'), so our keys never collide with other lock users. */
const MIGRATION_LOCK_NAMESPACE = 0x746d6d67;
const LOCK_NOT_AVAILABLE = '55P03';
export const DEFAULT_LOCK_TIMEOUT_MS = 120_000;

export async function withMigrationLock<T>(
  ds: DataSource,
  schema: string,
  lockTimeoutMs: number,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = ds.createQueryRunner();
  try {
    // Migrations may legitimately outlast the service's statement_timeout; the wait is bounded by lock_timeout.
    await runner.query(
      `SELECT set_config('statement_timeout', '0', false), set_config('lock_timeout', $1, false)`,
      [`${Math.max(1, Math.trunc(lockTimeoutMs))}ms`],
    );
    try {
      await runner.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_NAMESPACE, schema]);
    } catch (error) {
      if (errorCode(error) !== LOCK_NOT_AVAILABLE) throw error;
      throw new PersistenceError(
        'LOCK_TIMEOUT',
        `migration lock for schema "${schema}" not acquired within ${lockTimeoutMs} ms`,
        { cause: error },
      );
    }
    try {
      await runner.query('RESET lock_timeout');
      return await work(runner);
    } finally {
      // Failing here means the session is gone, and a session-level lock goes with its session.
      await runner
        .query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_NAMESPACE, schema])
        .catch(() => undefined);
    }
  } finally {
    await runner.query('RESET statement_timeout; RESET lock_timeout').catch(() => undefined);
    await runner.release();
  }
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}
