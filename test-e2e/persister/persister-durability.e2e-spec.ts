// The persister, as built, in processes of its own (issue: "A test publishes N messages, kill -9s the
// persister mid-batch, restarts it, and finds exactly N rows; the same with a PostgreSQL restart in the
// middle; the same with two persister instances and one of them killed"), and the partial batch that a
// SIGTERM commits within the drain.
import { expectEventually, PostgresServerProcess } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ownDatabase, type OwnDatabase } from '../fleet/own-database.js';
import { metricValue, PersisterTestBed, type Persister } from './persister-test-bed.js';

const BATCH = '5000';
/** Long enough that a partial batch is still held when the test strikes. */
const HOLD = '5m';

async function pendingTicks(p: Persister): Promise<number> {
  return metricValue(await p.metrics(), 'tm_persister_pending_rows', { family: 'tick' });
}

/** Exactly `n` rows now, and still exactly `n` a moment later (nothing written twice after). */
async function expectExactly(bed: PersisterTestBed, n: number, databaseUrl?: string): Promise<void> {
  await expectEventually(async () => expect(await bed.count('ticks', databaseUrl)).toBe(n), 30_000);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await bed.count('ticks', databaseUrl)).toBe(n);
}

describe('persister durability', () => {
  let database: OwnDatabase;
  let bed: PersisterTestBed;

  beforeAll(async () => {
    database = await ownDatabase(inject('databaseUrl'), 'persister');
    bed = await PersisterTestBed.open(inject('natsUrl'), database.url);
  });
  afterAll(async () => {
    await bed?.close();
    await database?.drop();
  });

  it('kill -9 mid-batch, restart: exactly N rows', async () => {
    const first = await bed.persister('persister-a', {
      TM_PERSIST_BATCH_ROWS: BATCH,
      TM_PERSIST_FLUSH: HOLD,
    });
    await bed.publishTicks(0, 12_500);
    // Two full batches committed, the third (2,500 rows) read and held.
    await expectEventually(async () => {
      expect(await bed.count('ticks')).toBe(10_000);
      expect(await pendingTicks(first)).toBe(2_500);
    }, 30_000);
    first.process.signal('SIGKILL');
    await first.process.exited;

    await bed.persister('persister-a', { TM_PERSIST_BATCH_ROWS: BATCH, TM_PERSIST_FLUSH: '1s' });
    await expectExactly(bed, 12_500);
  }, 90_000);
});

describe('persister with PostgreSQL restarted', () => {
  let postgres: PostgresServerProcess;
  let bed: PersisterTestBed;

  beforeAll(async () => {
    postgres = await PostgresServerProcess.start();
    bed = await PersisterTestBed.open(inject('natsUrl'), postgres.url);
  });
  afterAll(async () => {
    await bed?.close();
    await postgres?.dispose();
  });

  it('waits while PostgreSQL is down, commits nothing, and writes exactly N rows once it is back', async () => {
    const p = await bed.persister('persister-pg', { TM_PERSIST_BATCH_ROWS: BATCH, TM_PERSIST_FLUSH: '1s' });
    await bed.publishTicks(0, 6_000);
    await expectEventually(async () => expect(await bed.count('ticks')).toBe(6_000), 30_000);

    await postgres.kill();
    await bed.publishTicks(6_000, 6_000);
    await expectEventually(async () => {
      expect(await p.ready()).toMatchObject({ status: 503, state: 'Waiting' });
      expect(await pendingTicks(p)).toBeGreaterThan(0);
    }, 20_000);
    expect(
      metricValue(await p.metrics(), 'tm_persister_batch_failures_total', { family: 'tick' }),
    ).toBeGreaterThan(0);

    await postgres.restart();
    await expectExactly(bed, 12_000);
    await expectEventually(async () => expect((await p.ready()).status).toBe(200), 20_000);
  }, 120_000);
});

describe('persister shared by two instances', () => {
  let database: OwnDatabase;
  let bed: PersisterTestBed;

  beforeAll(async () => {
    database = await ownDatabase(inject('databaseUrl'), 'persister_pair');
    bed = await PersisterTestBed.open(inject('natsUrl'), database.url);
  });
  afterAll(async () => {
    await bed?.close();
    await database?.drop();
  });

  it('one killed mid-batch: the other takes its slots from its checkpoints; SIGTERM commits the partial batch: exactly N rows', async () => {
    const env = { TM_PERSIST_BATCH_ROWS: BATCH, TM_PERSIST_FLUSH: HOLD };
    const a = await bed.persister('persister-a', env);
    const b = await bed.persister('persister-b', env);
    await expectEventually(async () => {
      for (const p of [a, b])
        expect(metricValue(await p.metrics(), 'tm_persister_owned_slots')).toBeGreaterThan(0);
    }, 20_000);
    await bed.publishTicks(0, 8_000);
    // Each holds its share, below a full batch. A share change under load (a renewal late enough that an
    // instance stops claiming for a moment) commits what was held, so the held rows are counted with
    // the committed ones: every row is either held or written, and a holds some when it is killed.
    let committedBeforeKill = 0;
    await expectEventually(async () => {
      const [heldA, heldB, committed] = await Promise.all([
        pendingTicks(a),
        pendingTicks(b),
        bed.count('ticks'),
      ]);
      expect(heldA).toBeGreaterThan(0);
      expect(heldA + heldB + committed).toBe(8_000);
      committedBeforeKill = committed;
    }, 30_000);
    a.process.signal('SIGKILL');

    // b takes every slot, commits what it held, and reads a's share again from where a left it.
    await expectEventually(async () => {
      expect(metricValue(await b.metrics(), 'tm_persister_owned_slots')).toBe(32_767);
      const [heldB, committed] = await Promise.all([pendingTicks(b), bed.count('ticks')]);
      expect(heldB).toBeGreaterThan(0);
      expect(heldB + committed).toBe(8_000);
      expect(committed).toBeGreaterThanOrEqual(committedBeforeKill);
    }, 30_000);

    const stoppedAt = Date.now();
    b.process.signal('SIGTERM');
    const exit = await b.process.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    await expectExactly(bed, 8_000);
  }, 120_000);
});

describe('persister digest', () => {
  let database: OwnDatabase;
  let bed: PersisterTestBed;

  beforeAll(async () => {
    database = await ownDatabase(inject('databaseUrl'), 'persister_digest');
    bed = await PersisterTestBed.open(inject('natsUrl'), database.url);
  });
  afterAll(async () => {
    await bed?.close();
    await database?.drop();
  });

  it('runs eagerly while data flows, lazily once it stops, and eagerly again when it resumes', async () => {
    const p = await bed.persister('persister-digest', {
      TM_PERSIST_FLUSH: '100ms',
      TM_PERSIST_DIGEST_EAGER: '200ms',
      TM_PERSIST_DIGEST_LAZY: '1500ms',
    });
    const mode = async () => {
      const text = await p.metrics();
      return metricValue(text, 'tm_persister_digest_mode', { mode: 'eager' }) === 1 ? 'eager' : 'lazy';
    };
    // Idle from the start: lazy.
    await expectEventually(async () => expect(await mode()).toBe('lazy'), 20_000);
    await bed.publishTicks(0, 500);
    await expectEventually(async () => expect(await mode()).toBe('eager'), 20_000);
    // Input stops: the next pass finds nothing new and goes lazy.
    await expectEventually(async () => expect(await mode()).toBe('lazy'), 20_000);
    await bed.publishTicks(500, 500);
    await expectEventually(async () => expect(await mode()).toBe('eager'), 20_000);
    await expectExactly(bed, 1_000);
  }, 90_000);
});
