import { randomBytes } from 'node:crypto';
import { createTestSchema, ensureDatabase, type TestSchema } from '../src/index.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const databaseUrl = inject('databaseUrl');
const admin = new pg.Client({ connectionString: databaseUrl });
const createdDatabases: string[] = [];
let testSchema: TestSchema;

beforeAll(async () => {
  await admin.connect();
  testSchema = await createTestSchema(databaseUrl, 'persistence_ts');
});

afterAll(async () => {
  await testSchema.drop();
  for (const database of createdDatabases)
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
});

async function schemaExists(schema: string): Promise<boolean> {
  const result = await admin.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
    schema,
  ]);
  return result.rowCount === 1;
}

function databaseName(): string {
  const database = `tm_persistence_${randomBytes(5).toString('hex')}`;
  createdDatabases.push(database);
  return database;
}

describe('createTestSchema', () => {
  it('makes a schema of its own with the prefix, and drop() removes it with its tables', async () => {
    const made = await createTestSchema(databaseUrl, 'probe_me');
    await admin.query(`CREATE TABLE "${made.schema}".t (n int)`);

    expect(made.schema).toMatch(/^probe_me_[0-9a-f]{10}$/);
    expect(made.schema).not.toBe(testSchema.schema);
    expect(await schemaExists(made.schema)).toBe(true);
    await made.drop();
    expect(await schemaExists(made.schema)).toBe(false);
  });

  it('refuses a prefix that makes a bad schema name', async () => {
    await expect(createTestSchema(databaseUrl, 'Bad Prefix')).rejects.toMatchObject({
      code: 'INVALID_SCHEMA_NAME',
    });
  });
});

describe('ensureDatabase', () => {
  it('creates a missing database once and reports it as created only then', async () => {
    const database = databaseName();

    await expect(ensureDatabase(databaseUrl, database)).resolves.toBe(true);
    await expect(ensureDatabase(databaseUrl, database)).resolves.toBe(false);
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    expect(found.rowCount).toBe(1);
  });

  it('tolerates launchers creating the same database at once', async () => {
    const database = databaseName();

    const created = await Promise.all(Array.from({ length: 4 }, () => ensureDatabase(databaseUrl, database)));

    expect(created.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a bad database name', async () => {
    await expect(ensureDatabase(databaseUrl, 'x"; DROP DATABASE postgres; --')).rejects.toMatchObject({
      code: 'INVALID_DATABASE_NAME',
    });
  });
});
