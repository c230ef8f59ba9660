import pg from 'pg';
import { assertDatabaseName } from './sql-identifier.js';

const CONNECT_TIMEOUT_MS = 3_000;
// Two launchers creating the same database at once: the loser sees one of these, and that is fine.
const ALREADY_CREATED = new Set([
  '42P04' /* duplicate_database */,
  '23505' /* unique_violation on pg_database */,
]);

/** Creates `database` through `adminUrl` unless it exists; true when this call created it. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<boolean> {
  assertDatabaseName(database);
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  await admin.connect();
  try {
    const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount) return false;
    await admin.query(`CREATE DATABASE "${database}"`);
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && ALREADY_CREATED.has(code)) return false;
    throw error;
  } finally {
    await admin.end();
  }
}
