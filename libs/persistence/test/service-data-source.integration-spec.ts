import { createTestSchema, runMigrations, type SqlMigration, type TestSchema } from '../src/index.js';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OpenDataSources } from './open-data-sources.js';

@Entity({ name: 'widget' })
class WidgetEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'int' })
  size!: number;
}

const createWidget: SqlMigration = {
  id: '0001_widget',
  up: (schema) => `CREATE TABLE "${schema}".widget (id text PRIMARY KEY, size int NOT NULL)`,
  down: (schema) => `DROP TABLE "${schema}".widget`,
};
// Longer than the data source's statement timeout: migrations must not be cut off by it.
const slowBackfill: SqlMigration = {
  id: '0002_slow',
  up: () => 'SELECT pg_sleep(0.5)',
  down: () => 'SELECT 1',
};

const databaseUrl = inject('databaseUrl');
const dataSources = new OpenDataSources();
let testSchema: TestSchema;

beforeAll(async () => {
  testSchema = await createTestSchema(databaseUrl, 'persistence_ds');
});

afterAll(async () => {
  await dataSources.destroyAll();
  await testSchema.drop();
});

describe('createServiceDataSource', () => {
  it('binds sessions to the service schema, its name and its statement timeout', async () => {
    const { schema } = testSchema;
    // One connection, so the migration session and the queries after it share it.
    const ds = await dataSources.open({
      url: databaseUrl,
      schema,
      applicationName: 'tm-persistence-ds',
      statementTimeoutMs: 300,
      poolSize: 1,
    });

    expect(await ds.query('SELECT current_setting($1) AS value', ['search_path'])).toEqual([
      { value: `${schema},public` },
    ]);
    expect(await ds.query('SELECT current_setting($1) AS value', ['application_name'])).toEqual([
      { value: 'tm-persistence-ds' },
    ]);
    await expect(ds.query('SELECT pg_sleep(2)')).rejects.toThrow('statement timeout');

    await expect(runMigrations(ds, { schema, migrations: [createWidget, slowBackfill] })).resolves.toEqual({
      applied: ['0001_widget', '0002_slow'],
    });
    expect(await ds.query('SELECT current_setting($1) AS value', ['statement_timeout'])).toEqual([
      { value: '300ms' },
    ]);
  });

  it('maps the given entities to tables in the service schema', async () => {
    const { schema } = testSchema;
    const ds = await dataSources.open({ url: databaseUrl, schema, entities: [WidgetEntity] });
    await runMigrations(ds, { schema, migrations: [createWidget] });

    await ds.getRepository(WidgetEntity).save({ id: 'w1', size: 3 });

    expect(await ds.query(`SELECT id, size FROM "${schema}".widget`)).toEqual([{ id: 'w1', size: 3 }]);
    expect(ds.getMetadata(WidgetEntity).tablePath).toBe(`${schema}.widget`);
  });
});
