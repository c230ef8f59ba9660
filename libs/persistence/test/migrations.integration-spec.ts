import { randomBytes } from 'node:crypto';
import {
  createTestSchema,
  PersistenceError,
  revertLastMigration,
  runMigrations,
  type SqlMigration,
  type TestSchema,
} from '../src/index.js';
import { expectEventually } from '@tm/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { OpenDataSources } from './open-data-sources.js';

const databaseUrl = inject('databaseUrl');
const dataSources = new OpenDataSources();
const schemas: TestSchema[] = [];

const createLedger: SqlMigration = {
  id: '0001_ledger',
  up: (schema) => `CREATE TABLE "${schema}".ledger (n int NOT NULL)`,
  down: (schema) => `DROP TABLE "${schema}".ledger`,
};
// Unqualified on purpose: the runner points search_path at the schema being migrated.
const seedLedger: SqlMigration = {
  id: '0002_seed',
  up: () => 'INSERT INTO ledger (n) VALUES (1)',
  down: () => 'DELETE FROM ledger WHERE n = 1',
};
const brokenAfterWrite: SqlMigration = {
  id: '0003_broken',
  up: () => 'INSERT INTO ledger (n) VALUES (2); SELECT * FROM no_such_table',
  down: () => 'SELECT 1',
};

async function freshSchema(): Promise<string> {
  const testSchema = await createTestSchema(databaseUrl, 'persistence_mig');
  schemas.push(testSchema);
  return testSchema.schema;
}

afterAll(async () => {
  await dataSources.destroyAll();
  await Promise.all(schemas.map((testSchema) => testSchema.drop()));
});

describe('runMigrations', () => {
  it('applies pending migrations in id order, once, and records their ids', async () => {
    const schema = await freshSchema();
    const ds = await dataSources.open({ url: databaseUrl, schema });

    await expect(runMigrations(ds, { schema, migrations: [seedLedger, createLedger] })).resolves.toEqual({
      applied: ['0001_ledger', '0002_seed'],
    });
    const recorded: { id: string; applied_at: Date }[] = await ds.query(
      `SELECT id, applied_at FROM "${schema}"._migrations ORDER BY id`,
    );
    expect(recorded.map((row) => row.id)).toEqual(['0001_ledger', '0002_seed']);
    expect(recorded.every((row) => row.applied_at instanceof Date)).toBe(true);

    await expect(runMigrations(ds, { schema, migrations: [createLedger, seedLedger] })).resolves.toEqual({
      applied: [],
    });
    expect(await ds.query(`SELECT count(*)::int AS n FROM "${schema}".ledger`)).toEqual([{ n: 1 }]);
  });

  it('creates the schema when it does not exist yet', async () => {
    const schema = await freshSchema();
    await schemas[schemas.length - 1].drop();
    const ds = await dataSources.open({ url: databaseUrl, schema });

    await expect(runMigrations(ds, { schema, migrations: [createLedger] })).resolves.toEqual({
      applied: ['0001_ledger'],
    });
    expect(await ds.query(`SELECT to_regclass('"${schema}".ledger') IS NOT NULL AS present`)).toEqual([
      { present: true },
    ]);
  });

  it('applies each migration exactly once when five replicas migrate the same schema together', async () => {
    const schema = await freshSchema();
    const replicas = await Promise.all(
      Array.from({ length: 5 }, () => dataSources.open({ url: databaseUrl, schema })),
    );

    const results = await Promise.all(
      replicas.map((ds) => runMigrations(ds, { schema, migrations: [createLedger, seedLedger] })),
    );

    expect(results.flatMap((result) => result.applied).sort()).toEqual(['0001_ledger', '0002_seed']);
    expect(results.filter((result) => result.applied.length > 0)).toHaveLength(1);
    expect(await replicas[0].query(`SELECT count(*)::int AS n FROM "${schema}".ledger`)).toEqual([{ n: 1 }]);
    expect(await replicas[0].query(`SELECT count(*)::int AS n FROM "${schema}"._migrations`)).toEqual([
      { n: 2 },
    ]);
  });

  it('rolls back a failing migration, keeps the earlier ones, releases the lock and names the culprit', async () => {
    const schema = await freshSchema();
    const ds = await dataSources.open({ url: databaseUrl, schema });

    const failure = await runMigrations(ds, {
      schema,
      migrations: [createLedger, seedLedger, brokenAfterWrite],
    }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PersistenceError);
    expect(failure).toMatchObject({ code: 'MIGRATION_FAILED', migrationId: '0003_broken' });
    expect((failure as PersistenceError).message).toContain('0003_broken');
    expect(await ds.query(`SELECT id FROM "${schema}"._migrations ORDER BY id`)).toEqual([
      { id: '0001_ledger' },
      { id: '0002_seed' },
    ]);
    expect(await ds.query(`SELECT n FROM "${schema}".ledger ORDER BY n`)).toEqual([{ n: 1 }]);
    // Another replica gets the lock at once: the failed run did not keep it.
    const other = await dataSources.open({ url: databaseUrl, schema });
    await expect(
      runMigrations(other, { schema, migrations: [createLedger, seedLedger], lockTimeoutMs: 2_000 }),
    ).resolves.toEqual({
      applied: [],
    });
  });

  it('gives up with LOCK_TIMEOUT while another replica holds the migration lock', async () => {
    const schema = await freshSchema();
    const applicationName = `tm-persistence-lock-${randomBytes(4).toString('hex')}`;
    const holder = await dataSources.open({ url: databaseUrl, schema, applicationName });
    const waiter = await dataSources.open({ url: databaseUrl, schema });
    const createGate: SqlMigration = {
      id: '0001_gate',
      up: (s) => `CREATE TABLE "${s}".gate (n int)`,
      down: (s) => `DROP TABLE "${s}".gate`,
    };
    const readGate: SqlMigration = {
      id: '0002_read_gate',
      up: (s) => `SELECT count(*) FROM "${s}".gate`,
      down: () => 'SELECT 1',
    };
    await runMigrations(holder, { schema, migrations: [createGate] });

    // Park the holder's migration on a table lock, so it keeps the migration lock for as long as we like.
    const gateKeeper = waiter.createQueryRunner();
    await gateKeeper.startTransaction();
    await gateKeeper.query(`LOCK TABLE "${schema}".gate IN ACCESS EXCLUSIVE MODE`);
    const parked = runMigrations(holder, { schema, migrations: [createGate, readGate] });
    await expectEventually(async () => {
      const waiting = await waiter.query(
        `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [applicationName],
      );
      expect(waiting).toHaveLength(1);
    });

    await expect(
      runMigrations(waiter, { schema, migrations: [createGate, readGate], lockTimeoutMs: 200 }),
    ).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
    });
    await gateKeeper.commitTransaction();
    await gateKeeper.release();
    await expect(parked).resolves.toEqual({ applied: ['0002_read_gate'] });
  });

  it('refuses a bad schema name and duplicate migration ids', async () => {
    const schema = await freshSchema();
    const ds = await dataSources.open({ url: databaseUrl, schema });

    await expect(
      runMigrations(ds, { schema: 'Robert"; DROP', migrations: [createLedger] }),
    ).rejects.toMatchObject({
      code: 'INVALID_SCHEMA_NAME',
    });
    await expect(
      runMigrations(ds, { schema, migrations: [createLedger, createLedger] }),
    ).rejects.toMatchObject({
      code: 'DUPLICATE_MIGRATION_ID',
    });
  });
});

describe('revertLastMigration', () => {
  it('undoes the newest applied migration, one per call, until none is left', async () => {
    const schema = await freshSchema();
    const ds = await dataSources.open({ url: databaseUrl, schema });
    const migrations = [createLedger, seedLedger];
    await runMigrations(ds, { schema, migrations });

    await expect(revertLastMigration(ds, { schema, migrations })).resolves.toBe('0002_seed');
    expect(await ds.query(`SELECT count(*)::int AS n FROM "${schema}".ledger`)).toEqual([{ n: 0 }]);
    expect(await ds.query(`SELECT id FROM "${schema}"._migrations`)).toEqual([{ id: '0001_ledger' }]);

    await expect(revertLastMigration(ds, { schema, migrations })).resolves.toBe('0001_ledger');
    expect(await ds.query(`SELECT to_regclass('"${schema}".ledger') IS NULL AS gone`)).toEqual([
      { gone: true },
    ]);
    await expect(revertLastMigration(ds, { schema, migrations })).resolves.toBeUndefined();

    await expect(runMigrations(ds, { schema, migrations })).resolves.toEqual({
      applied: ['0001_ledger', '0002_seed'],
    });
  });

  it('refuses to guess when the newest applied migration is not among those given', async () => {
    const schema = await freshSchema();
    const ds = await dataSources.open({ url: databaseUrl, schema });
    await runMigrations(ds, { schema, migrations: [createLedger, seedLedger] });

    await expect(revertLastMigration(ds, { schema, migrations: [createLedger] })).rejects.toMatchObject({
      code: 'UNKNOWN_MIGRATION',
      migrationId: '0002_seed',
    });
  });

  it('returns undefined for a schema that was never migrated', async () => {
    const schema = await freshSchema();
    const ds = await dataSources.open({ url: databaseUrl, schema });

    await expect(revertLastMigration(ds, { schema, migrations: [createLedger] })).resolves.toBeUndefined();
  });
});
