import { createServiceDataSource, createTestSchema, PostgresProbe, type TestSchema } from '../src/index.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OpenDataSources } from './open-data-sources.js';

const databaseUrl = inject('databaseUrl');
const dataSources = new OpenDataSources();
let testSchema: TestSchema;

beforeAll(async () => {
  testSchema = await createTestSchema(databaseUrl, 'persistence_probe');
});

afterAll(async () => {
  await dataSources.destroyAll();
  await testSchema.drop();
});

describe('PostgresProbe', () => {
  it('reports up for a live server', async () => {
    const ds = await dataSources.open({ url: databaseUrl, schema: testSchema.schema });

    await expect(new PostgresProbe(ds).check()).resolves.toEqual({ up: true });
  });

  it('reports down with the reason for an unreachable server, without throwing', async () => {
    const ds = createServiceDataSource({
      url: 'postgres://postgres@127.0.0.1:1/x',
      schema: testSchema.schema,
      applicationName: 'tm-persistence-probe',
      migrations: [],
    });
    await expect(ds.initialize()).rejects.toThrow('ECONNREFUSED');

    const result = await new PostgresProbe(ds).check();

    expect(result.up).toBe(false);
    expect(result.detail).toMatch(/ECONNREFUSED/);
  });

  it('reports a reachable server whose data source is not initialised yet', async () => {
    const ds = createServiceDataSource({
      url: databaseUrl,
      schema: testSchema.schema,
      applicationName: 'tm-persistence-probe',
      migrations: [],
    });

    await expect(new PostgresProbe(ds).check()).resolves.toEqual({
      up: true,
      detail: 'server reachable; data source not initialised',
    });
    expect(ds.isInitialized).toBe(false);
  });

  it('reports down with a timeout when no answer comes in time', async () => {
    const ds = await dataSources.open({ url: databaseUrl, schema: testSchema.schema, poolSize: 1 });
    const hog = ds.createQueryRunner();
    await hog.connect();
    try {
      const result = await new PostgresProbe(ds).check(100);

      expect(result.up).toBe(false);
      expect(result.detail).toMatch(/timeout/);
    } finally {
      await hog.release();
    }
  });
});
