// The digest against the real PostgreSQL: hourly candles, daily trade summaries in exact decimals, only the
// owned slots, and the scheduler switching between eager and lazy by itself.
import {
  createServiceDataSource,
  createTestSchema,
  revertLastMigration,
  runMigrations,
  type TestSchema,
} from '@tm/persistence';
import { accountSlot, instrumentSlot, SLOT_COUNT, tmSlotMigration } from '@tm/sharding';
import { createLogger, MetricsRegistry } from '@tm/telemetry';
import { expectEventually } from '@tm/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { DigestScheduler, type DigestSchedulerOptions } from '../src/digest/digest-scheduler.js';
import type { SlotSpan } from '../src/digest/dirty-buckets.js';
import { persisterTablesMigration } from '../src/migrations/0001-persister-tables.migration.js';
import { digestMigration } from '../src/migrations/0002-digest.migration.js';
import { dayOf, PartitionKeeper } from '../src/tables/partition-keeper.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const ONE_MINUTE_MICROS = 60_000_000;
const ALL_SLOTS: readonly SlotSpan[] = [{ first: 1, last: SLOT_COUNT }];

interface MinuteCandle {
  start: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
  intervalMicros?: number;
}

interface Fill {
  venue: string;
  account: string;
  instrument: string;
  side: 'buy' | 'sell';
  amount: string;
  price: string;
  order: { id: string; limit?: string };
  fee?: { cost: string; currency: string };
  tsEvent: string;
}

let schema: TestSchema;
let s: string;
let pool: pg.Pool;
let partitions: PartitionKeeper;
let tradeIds = 0;
const schedulers: DigestScheduler[] = [];

beforeAll(async () => {
  const databaseUrl = inject('databaseUrl');
  schema = await createTestSchema(databaseUrl, 'pdigest');
  s = `"${schema.schema}"`;
  const ds = createServiceDataSource({
    url: databaseUrl,
    schema: schema.schema,
    applicationName: 'persister-digest-test',
    migrations: [],
  });
  await ds.initialize();
  try {
    // tm_slot first, as the service host does: the tables' CHECKs call it, whatever the ids sort as.
    for (const migrations of [[tmSlotMigration], [persisterTablesMigration, digestMigration]])
      await runMigrations(ds, { schema: schema.schema, migrations });
  } finally {
    await ds.destroy();
  }
  pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
  partitions = new PartitionKeeper(pool, schema.schema);
});

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
});

afterAll(async () => {
  await pool?.end();
  await schema?.drop();
});

function scheduler(options: Partial<DigestSchedulerOptions> = {}): {
  digest: DigestScheduler;
  metrics: MetricsRegistry;
  logs: string[];
} {
  const metrics = new MetricsRegistry({ service: 'persister', instance: 'digest-test' });
  const logs: string[] = [];
  const logger = createLogger({
    service: 'persister',
    instance: 'digest-test',
    level: 'info',
    destination: { write: () => undefined },
    onLine: (line) => logs.push(line.msg),
  });
  const digest = new DigestScheduler({
    pool,
    schema: schema.schema,
    ownedRanges: () => ALL_SLOTS,
    eagerMs: 60_000,
    lazyMs: 300_000,
    metrics,
    logger,
    ...options,
  });
  schedulers.push(digest);
  return { digest, metrics, logs };
}

/** What the batch writer does: the rows and their dirty hours, in one transaction. */
async function writeMinuteCandles(instrument: string, candles: readonly MinuteCandle[]): Promise<void> {
  await partitions.ensure(
    'candles',
    candles.map(({ start }) => dayOf(Date.parse(start))),
  );
  const slot = instrumentSlot(instrument);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const candle of candles) {
      const interval = candle.intervalMicros ?? ONE_MINUTE_MICROS;
      await client.query(
        `INSERT INTO ${s}.candles (slot, instrument, interval_micros, start, open, high, low, close, volume, trades)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          slot,
          instrument,
          interval,
          candle.start,
          candle.open,
          candle.high,
          candle.low,
          candle.close,
          candle.volume,
          candle.trades,
        ],
      );
      if (interval === ONE_MINUTE_MICROS) {
        const hour = Math.floor(Date.parse(candle.start) / HOUR_MS) * HOUR_MS;
        await markDirty(client, 'candle_hour', slot, instrument, hour);
      }
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

async function writeFills(fills: readonly Fill[]): Promise<void> {
  await partitions.ensure(
    'fills',
    fills.map(({ tsEvent }) => dayOf(Date.parse(tsEvent))),
  );
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const fill of fills) {
      const slot = accountSlot(fill.account);
      tradeIds += 1;
      await client.query(
        `INSERT INTO ${s}.fills (slot, event_id, venue, account, instrument, side, client_order_id, trade_id,
                                 order_kind, order_price, price, amount, fee_cost, fee_currency, reconciled,
                                 ts_event, ts_init)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, false, $15, $15)`,
        [
          slot,
          `ev-${tradeIds}`,
          fill.venue,
          fill.account,
          fill.instrument,
          fill.side,
          fill.order.id,
          `t-${tradeIds}`,
          fill.order.limit === undefined ? 'market' : 'limit',
          fill.order.limit ?? null,
          fill.price,
          fill.amount,
          fill.fee?.cost ?? null,
          fill.fee?.currency ?? null,
          fill.tsEvent,
        ],
      );
      const day = Math.floor(Date.parse(fill.tsEvent) / DAY_MS) * DAY_MS;
      await markDirty(client, 'account_day', slot, fill.account, day);
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

async function markDirty(
  client: pg.ClientBase,
  kind: 'candle_hour' | 'account_day',
  slot: number,
  key: string,
  bucketMs: number,
): Promise<void> {
  await client.query(
    `INSERT INTO ${s}.digest_dirty (kind, slot, key, bucket) VALUES ($1, $2, $3, $4)
     ON CONFLICT (kind, key, bucket) DO NOTHING`,
    [kind, slot, key, new Date(bucketMs).toISOString()],
  );
}

async function hourlyCandles(instrument: string): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query(
    `SELECT slot, to_char(start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS start,
            open, high, low, close, volume, trades
       FROM ${s}.candles_1h WHERE instrument = $1 ORDER BY start`,
    [instrument],
  );
  return rows;
}

async function dirtyKeys(kind: string, keys: readonly string[]): Promise<string[]> {
  const { rows } = await pool.query<{ key: string }>(
    `SELECT key FROM ${s}.digest_dirty WHERE kind = $1 AND key = ANY($2) ORDER BY key, bucket`,
    [kind, keys],
  );
  return rows.map(({ key }) => key);
}

async function accountSummaries(accounts: readonly string[]): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query(
    `SELECT day::text AS day, venue, account, quote, slot, fills, buy_amount::text AS buy_amount,
            sell_amount::text AS sell_amount, notional::text AS notional, realized_pnl::text AS realized_pnl,
            commission, slippage::text AS slippage, wins, losses
       FROM ${s}.trade_summaries_account_daily WHERE account = ANY($1)
      ORDER BY day, venue, account, quote`,
    [accounts],
  );
  return rows;
}

async function venueSummaries(venues: readonly string[]): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query(
    `SELECT day::text AS day, venue, quote, accounts, fills, buy_amount::text AS buy_amount,
            sell_amount::text AS sell_amount, notional::text AS notional, realized_pnl::text AS realized_pnl,
            commission, slippage::text AS slippage, wins, losses
       FROM ${s}.trade_summaries_venue_daily WHERE venue = ANY($1)
      ORDER BY day, venue, quote`,
    [venues],
  );
  return rows;
}

async function modeSeries(metrics: MetricsRegistry): Promise<{ eager?: number; lazy?: number }> {
  const values = await metrics.gaugeValues();
  return {
    eager: values['tm_persister_digest_mode{mode="eager"}'],
    lazy: values['tm_persister_digest_mode{mode="lazy"}'],
  };
}

async function passes(metrics: MetricsRegistry, outcome: 'ok' | 'failed'): Promise<number> {
  const counter = metrics.registry.getSingleMetric('tm_persister_digest_passes_total');
  const series = (await counter!.get()).values.find(({ labels }) => labels.outcome === outcome);
  return series?.value ?? 0;
}

describe('candle rollup', () => {
  it('rolls the 1-minute candles of each dirty hour into its hourly candle, and rewrites it when more arrive', async () => {
    const instrument = 'DGA/USDT';
    // Out of order on purpose: open and close go by start, not by arrival. The 5-minute candle is not a minute.
    await writeMinuteCandles(instrument, [
      { start: '2024-05-01T10:59:00Z', open: 107, high: 107.5, low: 95, close: 96, volume: 0.5, trades: 1 },
      { start: '2024-05-01T10:00:00Z', open: 100, high: 105, low: 99, close: 101, volume: 1.5, trades: 3 },
      { start: '2024-05-01T10:01:00Z', open: 101, high: 108, low: 100, close: 107, volume: 2, trades: 4 },
      { start: '2024-05-01T11:00:00Z', open: 96, high: 97, low: 94, close: 95, volume: 3, trades: 6 },
      {
        start: '2024-05-01T10:05:00Z',
        open: 1,
        high: 500,
        low: 1,
        close: 1,
        volume: 99,
        trades: 99,
        intervalMicros: 5 * ONE_MINUTE_MICROS,
      },
    ]);
    const { digest } = scheduler();

    await expect(digest.runOnce()).resolves.toMatchObject({ hours: 2, candles: 2 });
    const slot = instrumentSlot(instrument);
    expect(await hourlyCandles(instrument)).toEqual([
      { slot, start: '2024-05-01T10:00', open: 100, high: 108, low: 95, close: 96, volume: 4, trades: 8 },
      { slot, start: '2024-05-01T11:00', open: 96, high: 97, low: 94, close: 95, volume: 3, trades: 6 },
    ]);
    expect(await dirtyKeys('candle_hour', [instrument])).toEqual([]);

    await writeMinuteCandles(instrument, [
      { start: '2024-05-01T10:30:00Z', open: 103, high: 120, low: 102, close: 104, volume: 1, trades: 2 },
    ]);
    await expect(digest.runOnce()).resolves.toMatchObject({ hours: 1, candles: 1 });
    expect(await hourlyCandles(instrument)).toEqual([
      { slot, start: '2024-05-01T10:00', open: 100, high: 120, low: 95, close: 96, volume: 5, trades: 10 },
      { slot, start: '2024-05-01T11:00', open: 96, high: 97, low: 94, close: 95, volume: 3, trades: 6 },
    ]);
    await expect(digest.runOnce()).resolves.toMatchObject({ hours: 0, candles: 0 });
  });
});

describe('trade summaries', () => {
  const alice = 'dg-alice';
  const bob = 'dg-bob';
  const D1 = '2024-06-01';
  const D2 = '2024-06-02';

  it('sums each account-day at average cost in exact decimals, and each venue-day from the accounts', async () => {
    await writeFills([
      // alice: long 3 BTC at an average of 102 on D1 ...
      {
        venue: 'dg-binance',
        account: alice,
        instrument: 'BTC/USDT',
        side: 'buy',
        amount: '1',
        price: '100',
        order: { id: 'a-l1', limit: '101' },
        fee: { cost: '0.1', currency: 'USDT' },
        tsEvent: `${D1}T09:00:00Z`,
      },
      {
        venue: 'dg-binance',
        account: alice,
        instrument: 'BTC/USDT',
        side: 'buy',
        amount: '1',
        price: '102',
        order: { id: 'a-m1' },
        fee: { cost: '0.0002', currency: 'BTC' },
        tsEvent: `${D1}T10:00:00Z`,
      },
      {
        venue: 'dg-binance',
        account: alice,
        instrument: 'BTC/USDT',
        side: 'buy',
        amount: '1',
        price: '104',
        order: { id: 'a-m1' },
        tsEvent: `${D1}T10:00:01Z`,
      },
      // ... sells 2 at 110 (+16) and 2 at 100 on D2: 1 closed at a loss of 2, 1 opens a short.
      {
        venue: 'dg-binance',
        account: alice,
        instrument: 'BTC/USDT',
        side: 'sell',
        amount: '2',
        price: '110',
        order: { id: 'a-l2', limit: '109' },
        fee: { cost: '0.22', currency: 'USDT' },
        tsEvent: `${D2}T08:00:00Z`,
      },
      {
        venue: 'dg-binance',
        account: alice,
        instrument: 'BTC/USDT',
        side: 'sell',
        amount: '2',
        price: '100',
        order: { id: 'a-m2' },
        tsEvent: `${D2}T09:00:00Z`,
      },
      // bob: a short of 4 ETH at 49 (a market order walking 2 down the book), 1 covered at 45.
      {
        venue: 'dg-binance',
        account: bob,
        instrument: 'ETH/USDT:USDT',
        side: 'sell',
        amount: '2',
        price: '50',
        order: { id: 'b-m1' },
        fee: { cost: '0.05', currency: 'USDT' },
        tsEvent: `${D2}T10:00:00Z`,
      },
      {
        venue: 'dg-binance',
        account: bob,
        instrument: 'ETH/USDT:USDT',
        side: 'sell',
        amount: '2',
        price: '48',
        order: { id: 'b-m1' },
        tsEvent: `${D2}T10:00:00.5Z`,
      },
      {
        venue: 'dg-binance',
        account: bob,
        instrument: 'ETH/USDT:USDT',
        side: 'buy',
        amount: '1',
        price: '45',
        order: { id: 'b-l1', limit: '45' },
        fee: { cost: '0.01', currency: 'USDT' },
        tsEvent: `${D2}T11:00:00Z`,
      },
      {
        venue: 'dg-kraken',
        account: bob,
        instrument: 'ETH/EUR',
        side: 'buy',
        amount: '1',
        price: '40',
        order: { id: 'b-m2' },
        fee: { cost: '0.04', currency: 'EUR' },
        tsEvent: `${D2}T12:00:00Z`,
      },
    ]);
    const { digest } = scheduler();

    await expect(digest.runOnce()).resolves.toMatchObject({
      accountDays: 3,
      accountSummaries: 4,
      venueSummaries: 3,
    });
    const aliceRow = { venue: 'dg-binance', account: alice, quote: 'USDT', slot: accountSlot(alice) };
    const bobRow = { account: bob, slot: accountSlot(bob) };
    const aliceD1 = {
      fills: 3,
      buy_amount: '3',
      sell_amount: '0',
      notional: '306',
      realized_pnl: '0',
      commission: { BTC: '0.0002', USDT: '0.1' },
      slippage: '1',
      wins: 0,
      losses: 0,
    };
    expect(await accountSummaries([alice, bob])).toEqual([
      { day: D1, ...aliceRow, ...aliceD1 },
      {
        day: D2,
        ...aliceRow,
        fills: 2,
        buy_amount: '0',
        sell_amount: '4',
        notional: '420',
        realized_pnl: '14',
        commission: { USDT: '0.22' },
        slippage: '-2',
        wins: 1,
        losses: 1,
      },
      {
        day: D2,
        venue: 'dg-binance',
        quote: 'USDT',
        ...bobRow,
        fills: 3,
        buy_amount: '1',
        sell_amount: '4',
        notional: '241',
        realized_pnl: '4',
        commission: { USDT: '0.06' },
        slippage: '4',
        wins: 1,
        losses: 0,
      },
      {
        day: D2,
        venue: 'dg-kraken',
        quote: 'EUR',
        ...bobRow,
        fills: 1,
        buy_amount: '1',
        sell_amount: '0',
        notional: '40',
        realized_pnl: '0',
        commission: { EUR: '0.04' },
        slippage: '0',
        wins: 0,
        losses: 0,
      },
    ]);
    expect(await venueSummaries(['dg-binance', 'dg-kraken'])).toEqual([
      { day: D1, venue: 'dg-binance', quote: 'USDT', accounts: 1, ...aliceD1 },
      {
        day: D2,
        venue: 'dg-binance',
        quote: 'USDT',
        accounts: 2,
        fills: 5,
        buy_amount: '1',
        sell_amount: '8',
        notional: '661',
        realized_pnl: '18',
        commission: { USDT: '0.28' },
        slippage: '2',
        wins: 2,
        losses: 1,
      },
      {
        day: D2,
        venue: 'dg-kraken',
        quote: 'EUR',
        accounts: 1,
        fills: 1,
        buy_amount: '1',
        sell_amount: '0',
        notional: '40',
        realized_pnl: '0',
        commission: { EUR: '0.04' },
        slippage: '0',
        wins: 0,
        losses: 0,
      },
    ]);
    expect(await dirtyKeys('account_day', [alice, bob])).toEqual([]);
  });

  it('re-digests every later day of an account when a fill of an earlier day arrives late', async () => {
    // Alice's cost becomes 104: D2's sales realize 2 × 6 and 2 × −4, leaving her flat.
    await writeFills([
      {
        venue: 'dg-binance',
        account: alice,
        instrument: 'BTC/USDT',
        side: 'buy',
        amount: '1',
        price: '110',
        order: { id: 'a-l3', limit: '110' },
        tsEvent: `${D1}T11:00:00Z`,
      },
    ]);
    const { digest } = scheduler();

    await expect(digest.runOnce()).resolves.toMatchObject({ accountDays: 1, accountSummaries: 2 });
    const pnl = (rows: Record<string, unknown>[]): unknown[] =>
      rows.map(({ day, venue, realized_pnl, wins, losses }) => ({ day, venue, realized_pnl, wins, losses }));
    expect(pnl(await accountSummaries([alice]))).toEqual([
      { day: D1, venue: 'dg-binance', realized_pnl: '0', wins: 0, losses: 0 },
      { day: D2, venue: 'dg-binance', realized_pnl: '4', wins: 1, losses: 1 },
    ]);
    expect(pnl(await venueSummaries(['dg-binance']))).toEqual([
      { day: D1, venue: 'dg-binance', realized_pnl: '0', wins: 0, losses: 0 },
      { day: D2, venue: 'dg-binance', realized_pnl: '8', wins: 2, losses: 1 },
    ]);
  });
});

describe('slot ownership', () => {
  it('digests only the dirty rows of owned slots and leaves the others for their owner', async () => {
    const [owned, foreign] = ['DGO/USDT', 'DGF/USDT'];
    const [ownedAccount, foreignAccount] = ['dg-owned', 'dg-foreign'];
    expect(instrumentSlot(owned)).not.toBe(instrumentSlot(foreign));
    expect(accountSlot(ownedAccount)).not.toBe(accountSlot(foreignAccount));
    for (const instrument of [owned, foreign]) {
      await writeMinuteCandles(instrument, [
        { start: '2024-07-01T00:00:00Z', open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, trades: 2 },
      ]);
    }
    await writeFills(
      [ownedAccount, foreignAccount].map((account) => ({
        venue: 'dg-okx',
        account,
        instrument: 'SOL/USDT',
        side: 'buy' as const,
        amount: '2',
        price: '150',
        order: { id: `${account}-1` },
        tsEvent: '2024-07-01T00:00:00Z',
      })),
    );
    const spans = [instrumentSlot(owned), accountSlot(ownedAccount)].map((slot) => ({
      first: slot,
      last: slot,
    }));
    const { digest } = scheduler({ ownedRanges: () => spans });

    await expect(digest.runOnce()).resolves.toMatchObject({ hours: 1, accountDays: 1 });
    expect(await hourlyCandles(owned)).toHaveLength(1);
    expect(await hourlyCandles(foreign)).toEqual([]);
    expect((await accountSummaries([ownedAccount, foreignAccount])).map(({ account }) => account)).toEqual([
      ownedAccount,
    ]);
    expect(await dirtyKeys('candle_hour', [owned, foreign])).toEqual([foreign]);
    expect(await dirtyKeys('account_day', [ownedAccount, foreignAccount])).toEqual([foreignAccount]);

    // Their owner digests them; the venue-day then counts both accounts.
    const { digest: owner } = scheduler();
    await expect(owner.runOnce()).resolves.toMatchObject({ hours: 1, accountDays: 1 });
    expect(await hourlyCandles(foreign)).toHaveLength(1);
    expect(await venueSummaries(['dg-okx'])).toMatchObject([{ accounts: 2, fills: 2, notional: '600' }]);
  });
});

describe('DigestScheduler', () => {
  it('goes lazy when input stops and eager again when it resumes, by itself', async () => {
    const instrument = 'DGS/USDT';
    // A lazy interval far beyond expectEventually's wait: the digest picks the input up only if noted
    // activity cuts the lazy wait short.
    const { digest, metrics, logs } = scheduler({ eagerMs: 100, lazyMs: 60_000 });
    digest.start();
    await expectEventually(async () => expect(await passes(metrics, 'ok')).toBeGreaterThanOrEqual(1));
    expect(digest.mode).toBe('lazy');
    expect(await modeSeries(metrics)).toEqual({ eager: 0, lazy: 1 });

    for (const hour of ['10', '11']) {
      await writeMinuteCandles(instrument, [
        { start: `2024-08-01T${hour}:00:00Z`, open: 1, high: 1, low: 1, close: 1, volume: 1, trades: 1 },
      ]);
      digest.noteActivity();
      expect(digest.mode).toBe('eager');
      expect(await modeSeries(metrics)).toEqual({ eager: 1, lazy: 0 });
      await expectEventually(async () =>
        expect(await hourlyCandles(instrument)).toHaveLength(hour === '10' ? 1 : 2),
      );
      // Nothing more comes: a pass finds the digest idle and slows down.
      await expectEventually(async () => expect(await modeSeries(metrics)).toEqual({ eager: 0, lazy: 1 }));
      expect(digest.mode).toBe('lazy');
    }
    expect(logs.filter((msg) => msg.startsWith('digest mode'))).toEqual([
      'digest mode eager',
      'digest mode lazy',
      'digest mode eager',
      'digest mode lazy',
    ]);
  });

  it('stays eager while passes still find dirty rows, even without a noted batch', async () => {
    const { digest, metrics } = scheduler({ eagerMs: 100, lazyMs: 400, claimBatch: 1 });
    await writeMinuteCandles('DGB/USDT', [
      { start: '2024-08-02T00:00:00Z', open: 1, high: 1, low: 1, close: 1, volume: 1, trades: 1 },
      { start: '2024-08-02T01:00:00Z', open: 1, high: 1, low: 1, close: 1, volume: 1, trades: 1 },
    ]);
    await expect(digest.runOnce()).resolves.toMatchObject({ hours: 2 });
    expect(await modeSeries(metrics)).toEqual({ eager: 1, lazy: 0 });
    await expect(digest.runOnce()).resolves.toMatchObject({ hours: 0 });
    expect(await modeSeries(metrics)).toEqual({ eager: 0, lazy: 1 });
  });

  it('logs a failed pass and retries it at the next interval, without crashing', async () => {
    // Nothing listens on port 1: every pass fails to connect.
    const unreachable = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', max: 1 });
    try {
      const { digest, metrics, logs } = scheduler({ pool: unreachable, eagerMs: 50, lazyMs: 100 });
      await expect(digest.runOnce()).rejects.toThrow();
      digest.start();
      await expectEventually(async () => expect(await passes(metrics, 'failed')).toBeGreaterThanOrEqual(3));
      expect(logs).toContain('digest pass failed, retried at the next interval');
      await digest.stop();
    } finally {
      await unreachable.end();
    }
  });
});

describe('digest migration', () => {
  it('reverts to the persister tables alone, and applies again', async () => {
    const scratch = await createTestSchema(inject('databaseUrl'), 'pdigestm');
    const ds = createServiceDataSource({
      url: inject('databaseUrl'),
      schema: scratch.schema,
      applicationName: 'persister-digest-test',
      migrations: [],
    });
    await ds.initialize();
    try {
      const all = [tmSlotMigration, persisterTablesMigration, digestMigration];
      const tables = async (): Promise<string[]> =>
        (
          (await ds.query(
            `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename LIKE ANY ($2) ORDER BY 1`,
            [scratch.schema, ['candles%', 'trade_summaries%']],
          )) as { tablename: string }[]
        ).map(({ tablename }) => tablename);
      for (const migrations of [[tmSlotMigration], all])
        await runMigrations(ds, { schema: scratch.schema, migrations });
      expect(await tables()).toEqual([
        'candles',
        'candles_1h',
        'trade_summaries_account_daily',
        'trade_summaries_venue_daily',
      ]);
      await expect(revertLastMigration(ds, { schema: scratch.schema, migrations: all })).resolves.toBe(
        '0002_digest',
      );
      expect(await tables()).toEqual(['candles']);
      await expect(runMigrations(ds, { schema: scratch.schema, migrations: all })).resolves.toEqual({
        applied: ['0002_digest'],
      });
    } finally {
      await ds.destroy();
      await scratch.drop();
    }
  });
});
