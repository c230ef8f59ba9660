// The persistence pipeline against the real NATS and PostgreSQL: every family written exactly once,
// a refused row kept in _replays without holding up its batch, a bad message dead-lettered, a restart
// from the checkpoints writing nothing twice, PostgreSQL cut away and back losing nothing.
import { DeadLetterV1 } from '@tm/contracts';
import { instrumentSlot } from '@tm/sharding';
import { expectEventually, streamPayloads, TcpCutProxy } from '@tm/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ReplayWorker } from '../src/replays/replay-worker.js';
import { PartitionKeeper, partitionName, dayOf } from '../src/tables/partition-keeper.js';
import { logger, PersistenceFixture } from './persistence-fixture.js';
import { EXPECTED_ROWS, everyFamily, tick, trade } from './persisted-messages.js';

const FAST = { batchRows: 500, flushMs: 150 };

async function expectRows(f: PersistenceFixture, expected: Record<string, number>): Promise<void> {
  await expectEventually(async () => {
    const counts: Record<string, number> = {};
    for (const table of Object.keys(expected)) counts[table] = await f.count(table);
    expect(counts).toEqual(expected);
  }, 20_000);
}

describe('persistence', () => {
  let f: PersistenceFixture;

  beforeAll(async () => {
    f = await PersistenceFixture.open(inject('databaseUrl'), inject('natsUrl'));
  });
  afterAll(async () => {
    await f.close();
  });

  afterEach(async () => {
    // Each test starts from empty tables and no checkpoints, with nobody reading.
    f.committed.length = 0;
    await f.pool.query(
      `TRUNCATE ${['ticks', 'trades', 'candles', 'arbitrage_windows', 'execution_events', 'fills', 'flow_events', 'metric_snapshots', 'checkpoints', '_replays', 'digest_dirty'].map((t) => `"${f.schema.schema}"."${t}"`).join(', ')}`,
    );
    for (const spec of [f.streams.MD, f.streams.EXEC, f.streams.FLOW, f.streams.SYS])
      await f.jsm.streams.purge(spec.name);
  });

  it('writes every message of every family once, in batches, and a restart from the checkpoints writes nothing twice', async () => {
    await f.publish(everyFamily(f.subjects));
    const first = await f.worker('p-1', FAST);
    await expectRows(f, EXPECTED_ROWS);
    // Ticks came in more than one batch, none above the batch size.
    const tickBatches = f.committed.filter((o) => o.rows > 0);
    expect(tickBatches.length).toBeGreaterThan(2);
    expect(Math.max(...tickBatches.map((o) => o.rows))).toBeLessThanOrEqual(FAST.batchRows);
    await first.stop();

    const { rows: checkpoints } = await f.pool.query<{ family: string; n: string }>(
      `SELECT family, count(*) AS n FROM "${f.schema.schema}".checkpoints GROUP BY family`,
    );
    expect(checkpoints.map((c) => c.family).sort()).toEqual(
      ['arbitrage', 'candle', 'execution', 'flow', 'snapshot', 'tick', 'trade'].sort(),
    );
    expect(checkpoints.every((c) => Number(c.n) === 512)).toBe(true);

    // A second life reads on from the checkpoints: more messages, and nothing of the first again.
    f.committed.length = 0;
    const more = [tick(f.subjects, 5_000), tick(f.subjects, 5_001), trade(f.subjects, 9_000)];
    await f.publish(more);
    const second = await f.worker('p-1', FAST);
    await expectRows(f, {
      ...EXPECTED_ROWS,
      ticks: EXPECTED_ROWS.ticks + 2,
      trades: EXPECTED_ROWS.trades + 1,
    });
    expect(f.committed.reduce((sum, o) => sum + o.duplicates, 0)).toBe(0);
    await second.stop();
  });

  it('never makes a second row of a message read again, even with its checkpoint gone', async () => {
    const messages = everyFamily(f.subjects);
    await f.publish(messages);
    // The same trade sent twice (a publisher's retry): one row.
    await f.publish([trade(f.subjects, 1)]);
    const worker = await f.worker('p-1', FAST);
    await expectRows(f, EXPECTED_ROWS);
    await worker.stop();

    await f.pool.query(`TRUNCATE "${f.schema.schema}".checkpoints`);
    f.committed.length = 0;
    const again = await f.worker('p-1', FAST);
    await expectEventually(() => {
      const seen = f.committed.reduce((sum, o) => sum + o.duplicates + o.rows, 0);
      expect(seen).toBe(messages.length + 1 + EXPECTED_ROWS.fills);
    }, 20_000);
    expect(f.committed.reduce((sum, o) => sum + o.rows, 0)).toBe(0);
    await expectRows(f, EXPECTED_ROWS);
    await again.stop();
  });

  it('keeps a row PostgreSQL refuses in _replays and commits the rest of its batch', async () => {
    // A tick of P001/USDT on the slot of another instrument: its slot fails the tm_slot check.
    const poison = tick(f.subjects, 77, 'P001/USDT');
    poison.subject = f.subjects.mdTick(instrumentSlot('P002/USDT'));
    const good = Array.from({ length: 300 }, (_, n) => tick(f.subjects, n));
    await f.publish([...good.slice(0, 150), poison, ...good.slice(150)]);
    const worker = await f.worker('p-1', { batchRows: 5_000, flushMs: 300 });
    await expectEventually(async () => expect(await f.count('_replays')).toBe(1), 20_000);
    expect(await f.count('ticks')).toBe(300);
    const { rows } = await f.pool.query<{
      target_table: string;
      sqlstate: string;
      row_values: Record<string, string>;
    }>(`SELECT target_table, sqlstate, row_values FROM "${f.schema.schema}"._replays`);
    expect(rows[0]).toMatchObject({ target_table: 'ticks', sqlstate: '23514' });
    expect(rows[0]!.row_values).toMatchObject({
      instrument: 'P001/USDT',
      slot: String(instrumentSlot('P002/USDT')),
    });
    await worker.stop();
  });

  it('retries refused rows on the replay policy: written when they can be, exhausted after the last retry', async () => {
    const s = f.schema.schema;
    const partitions = new PartitionKeeper(f.pool, s);
    const policy = { maxRetries: 2, perTick: 20, initialDelayMs: 10 };
    const replays = new ReplayWorker(f.pool, s, partitions, policy, logger);
    const fine = {
      slot: String(instrumentSlot('P003/USDT')),
      instrument: 'P003/USDT',
      source: 'paper',
      bid: '1',
      bid_size: '1',
      ask: '2',
      ask_size: '1',
      ts_event: '2026-11-21T01:00:00.000001Z',
      ts_init: '2026-11-21T01:00:00.000002Z',
    };
    const wrong = { ...fine, slot: String(instrumentSlot('P004/USDT')) };
    await f.pool.query(
      `INSERT INTO "${s}"._replays (target_table, slot, row_values, error, next_attempt_at)
       VALUES ('ticks', $1, $2, 'was refused', now()), ('ticks', $3, $4, 'was refused', now() + interval '1 hour')`,
      [fine.slot, JSON.stringify(fine), wrong.slot, JSON.stringify(wrong)],
    );
    const everything = [{ first: 1, last: 32_767 }] as never;
    // Only the due row is tried; it is written and leaves the table.
    expect(await replays.tick(everything)).toEqual({ replayed: 1, failed: 0, exhausted: 0 });
    expect(await f.count('ticks', `instrument = 'P003/USDT'`)).toBe(1);
    await f.pool.query(`UPDATE "${s}"._replays SET next_attempt_at = now()`);
    expect(await replays.tick(everything)).toEqual({ replayed: 0, failed: 1, exhausted: 0 });
    const { rows } = await f.pool.query<{ attempts: number; wait: number }>(
      `SELECT attempts, extract(epoch FROM next_attempt_at - last_attempt_at) * 1000 AS wait FROM "${s}"._replays`,
    );
    expect(rows[0]!.attempts).toBe(1);
    expect(Number(rows[0]!.wait)).toBeGreaterThanOrEqual(20); // 10 ms × 2^1
    await f.pool.query(`UPDATE "${s}"._replays SET next_attempt_at = now()`);
    expect(await replays.tick(everything)).toEqual({ replayed: 0, failed: 0, exhausted: 1 });
    // Exhausted rows are kept for an operator and never tried again.
    await f.pool.query(`UPDATE "${s}"._replays SET next_attempt_at = now()`);
    expect(await replays.tick(everything)).toEqual({ replayed: 0, failed: 0, exhausted: 0 });
    expect(await f.count('_replays', `state = 'exhausted'`)).toBe(1);
    // A row of a slot this instance does not own is left to its owner.
    await f.pool.query(`UPDATE "${s}"._replays SET state = 'pending', attempts = 0, next_attempt_at = now()`);
    expect(await replays.tick([{ first: 1, last: 1 }] as never)).toEqual({
      replayed: 0,
      failed: 0,
      exhausted: 0,
    });
  });

  it('dead-letters a message it cannot read, with the reason, and reads on past it', async () => {
    const bad = {
      subject: f.subjects.mdTick(instrumentSlot('P005/USDT')),
      payload: '{"v":1,"instrument":"P005/USDT"}',
    };
    await f.publish([tick(f.subjects, 1), bad, tick(f.subjects, 2)]);
    const worker = await f.worker('p-1', FAST);
    await expectRows(f, { ticks: 2 });
    await expectEventually(async () => {
      const letters = await streamPayloads(
        f.jsm,
        f.streams.DLQ.name,
        f.subjects.dlq('persister'),
        DeadLetterV1,
      );
      const letter = letters.find((l) => l.subject === bad.subject);
      expect(letter?.reason).toMatch(/source/);
      expect(Buffer.from(letter!.payloadBase64, 'base64').toString()).toBe(bad.payload);
    }, 10_000);
    await worker.stop();
  });

  it('holds its batch while PostgreSQL is away, and commits it when it returns: nothing lost, nothing twice', async () => {
    const url = new URL(inject('databaseUrl'));
    const proxy = await TcpCutProxy.start(url.hostname, Number(url.port || 5432));
    url.host = `127.0.0.1:${proxy.port}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 4, connectionTimeoutMillis: 1_000 });
    pool.on('error', () => undefined);
    try {
      await f.publish(everyFamily(f.subjects));
      const worker = await f.worker('p-1', { batchRows: 5_000, flushMs: 1_000, pool });
      // Everything read, nothing committed yet: then PostgreSQL goes away before the flush is due.
      await expectEventually(() => {
        expect(f.lastReaders.reduce((sum, r) => sum + r.pendingRows, 0)).toBe(
          Object.values(EXPECTED_ROWS).reduce((sum, n) => sum + n, 0),
        );
      }, 10_000);
      await proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(await f.count('ticks')).toBe(0);
      expect(f.committed).toEqual([]);
      await proxy.restore();
      await expectRows(f, EXPECTED_ROWS);
      await worker.stop();
    } finally {
      await proxy.restore();
      await pool.end();
      await proxy.dispose();
    }
  });

  it('drops whole partitions past a table retention and keeps the others', async () => {
    const s = f.schema.schema;
    const partitions = new PartitionKeeper(f.pool, s);
    const today = dayOf(Date.UTC(2026, 10, 21));
    await partitions.ensure('ticks', [today - 9, today - 8, today - 7, today]);
    const dropped = await partitions.dropExpired('ticks', 7, Date.UTC(2026, 10, 21, 12));
    expect(dropped).toEqual([partitionName('ticks', today - 9), partitionName('ticks', today - 8)]);
    const { rows } = await f.pool.query<{ relname: string }>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = $1 AND p.relname = 'ticks'`,
      [s],
    );
    expect(rows.map((r) => r.relname)).toEqual(
      expect.arrayContaining([partitionName('ticks', today - 7), partitionName('ticks', today)]),
    );
    expect(rows.map((r) => r.relname)).not.toContain(partitionName('ticks', today - 8));
  });
});
