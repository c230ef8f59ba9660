// tm_slot in a real PostgreSQL must give every committed vector's slot: the SQL and the TypeScript agree.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tmSlotMigration } from '../src/index.js';
import { loadSlotVectors } from './slot-vectors.js';

// A quote and a space in the name prove the migration quotes the schema it is given.
const schema = `sharding "slot" ${randomBytes(4).toString('hex')}`;
const quoted = `"${schema.replaceAll('"', '""')}"`;
const client = new pg.Client({ connectionString: inject('databaseUrl') });

beforeAll(async () => {
  await client.connect();
  await client.query(`CREATE SCHEMA ${quoted}`);
});

afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS ${quoted} CASCADE`);
  await client.end();
});

describe('tm_slot', () => {
  it('is installed by up, matches every vector, and is removed by down', async () => {
    const vectors = loadSlotVectors();
    await client.query(tmSlotMigration.up(schema));

    const { rows } = await client.query<{ key: string; slot: number }>(
      `SELECT k AS key, ${quoted}.tm_slot(k) AS slot FROM unnest($1::text[]) WITH ORDINALITY AS v(k, n) ORDER BY n`,
      [vectors.map((v) => v.key)],
    );
    expect(rows).toEqual(vectors.map((v) => ({ key: v.key, slot: v.slot })));

    const signature = await client.query<{ volatile: string; strict: boolean; parallel: string }>(
      `SELECT provolatile AS volatile, proisstrict AS strict, proparallel AS parallel
         FROM pg_proc WHERE oid = to_regprocedure($1)`,
      [`${quoted}.tm_slot(text)`],
    );
    expect(signature.rows).toEqual([{ volatile: 'i', strict: true, parallel: 's' }]);
    const nullKey = await client.query(`SELECT ${quoted}.tm_slot(NULL) AS slot`);
    expect(nullKey.rows).toEqual([{ slot: null }]);

    await client.query(tmSlotMigration.down(schema));
    const gone = await client.query(`SELECT to_regprocedure($1) AS fn`, [`${quoted}.tm_slot(text)`]);
    expect(gone.rows).toEqual([{ fn: null }]);
  });
});
