import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEventually, PostgresServerProcess } from '../src/index.js';

const CONNECTION_DIED = /Connection terminated unexpectedly|ECONNRESET/;
const answered = () => 'answered';
const failedWith = (error: Error) => error.message;

let server: PostgresServerProcess;
const clients: pg.Client[] = [];

async function connected(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: server.url });
  // A server that goes away also emits 'error' on an idle client; the test asserts on the queries.
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = await connected();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Rows inserted into a table since the statistics were last kept: crash recovery resets them. */
async function insertsCounted(table: string): Promise<number> {
  const rows = await query<{ n: string }>(
    `SELECT n_tup_ins AS n FROM pg_stat_user_tables WHERE relname = '${table}'`,
  );
  return Number(rows[0]?.n ?? 0);
}

async function startTime(): Promise<string> {
  return (await query<{ t: string }>('SELECT pg_postmaster_start_time()::text AS t'))[0].t;
}

beforeAll(async () => {
  server = await PostgresServerProcess.start();
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  await server?.dispose();
});

describe('PostgresServerProcess', () => {
  it('starts a private cluster on its own port that answers queries', async () => {
    expect(server.port).not.toBe(5432);
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);

    const [row] = await query<{ port: string }>("SELECT current_setting('port') AS port");

    expect(Number(row.port)).toBe(server.port);
  });

  it('keeps a committed row through a crash (kill) and crash recovery on restart', async () => {
    await query('CREATE TABLE crashed (id int PRIMARY KEY, note text)');
    const writer = await connected();
    await writer.query("INSERT INTO crashed VALUES (1, 'committed')");
    await writer.end();
    await expectEventually(async () => expect(await insertsCounted('crashed')).toBe(1));
    const before = await startTime();

    await server.kill();
    await expect(query('SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await server.restart();

    expect(await startTime()).not.toBe(before);
    await expect(query('SELECT id, note FROM crashed')).resolves.toEqual([{ id: 1, note: 'committed' }]);
    // Statistics are only kept by a clean shutdown, so zero proves the restart recovered from a crash.
    expect(await insertsCounted('crashed')).toBe(0);
  });

  it('keeps a committed row and the statistics through a fast shutdown (stop) and restart', async () => {
    await query('CREATE TABLE stopped (id int PRIMARY KEY)');
    await query('INSERT INTO stopped VALUES (1)');
    await expectEventually(async () => expect(await insertsCounted('stopped')).toBe(1));
    const before = await startTime();

    await server.stop();
    await expect(query('SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await server.restart();

    expect(await startTime()).not.toBe(before);
    await expect(query('SELECT id FROM stopped')).resolves.toEqual([{ id: 1 }]);
    expect(await insertsCounted('stopped')).toBe(1);
  });

  it('fails a query in flight when the server is killed, instead of leaving it hanging', async () => {
    const victim = await connected();
    const outcome = victim.query('SELECT pg_sleep(60)').then(answered, failedWith);

    await server.kill();
    await server.restart();

    // Whichever way the socket dies (FIN or RST), the query fails; a hang would time the test out.
    expect(await outcome).toMatch(CONNECTION_DIED);
  }, 10_000);

  it('restarts after SIGKILL of the postmaster, once its orphaned backends are gone', async () => {
    await query('CREATE TABLE killed (id int PRIMARY KEY)');
    await query('INSERT INTO killed VALUES (1)');
    const victim = await connected();
    const outcome = victim.query('SELECT pg_sleep(60)').then(answered, failedWith);

    await server.kill('SIGKILL');
    await server.restart();

    expect(await outcome).toMatch(CONNECTION_DIED);
    await expect(query('SELECT id FROM killed')).resolves.toEqual([{ id: 1 }]);
  }, 15_000);

  it('removes its data directory on dispose', async () => {
    const own = await PostgresServerProcess.start();
    expect(existsSync(own.dataDir)).toBe(true);

    await own.dispose();

    expect(existsSync(own.dataDir)).toBe(false);
  });
});
