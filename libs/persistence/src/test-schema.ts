// Test isolation: each integration-spec file works in a schema of its own inside the run's database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { assertSchemaName } from './sql-identifier.js';

export interface TestSchema {
  schema: string;
  drop(): Promise<void>;
}

/** Creates `<prefix>_<random hex>`; drop() removes it with everything in it. */
export async function createTestSchema(databaseUrl: string, prefix = 't'): Promise<TestSchema> {
  const schema = assertSchemaName(`${prefix}_${randomBytes(5).toString('hex')}`);
  await runOnce(databaseUrl, `CREATE SCHEMA "${schema}"`);
  return { schema, drop: () => runOnce(databaseUrl, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`) };
}

async function runOnce(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
