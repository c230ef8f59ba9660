// One PostgreSQL database per test run, dropped at the end, so no run sees another's state.
// Tests read its URL with inject('databaseUrl'); each test file still makes its own schema.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    natsUrl: string;
  }
}

const ADMIN_URL = process.env.TM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.TM_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const database = `tm_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  project.provide('databaseUrl', url.toString());
  project.provide('natsUrl', NATS_URL);
  return async () => {
    const cleanup = new pg.Client({ connectionString: ADMIN_URL });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await cleanup.end();
  };
}
