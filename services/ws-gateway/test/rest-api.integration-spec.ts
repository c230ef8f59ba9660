import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@tm/config';
import {
  AggregateSnapshotRequestV1,
  createStreams,
  createSubjects,
  decodePayload,
  encodePayload,
  type AggregateV1,
  type CandleV1,
  type ReplyEnvelope,
} from '@tm/contracts';
import { NatsLink, provisionStream, ReplyErrorFilter } from '@tm/messaging';
import { createServiceDataSource, createTestSchema, runMigrations, type TestSchema } from '@tm/persistence';
import { DATA_SOURCE, LOGGER, NATS_LINK, SERVICE_CONFIG, SUBJECTS } from '@tm/service-host';
import { instrumentSlot } from '@tm/sharding';
import { createLogger } from '@tm/telemetry';
import { uniqueSubjectRoot } from '@tm/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuthModule } from '../src/auth/auth.module.js';
import type { Role } from '../src/auth/roles.js';
import { TokenService } from '../src/auth/token.service.js';
import { wsGatewayConfigSpec } from '../src/config/ws-gateway.config.js';
import { MarketApiModule } from '../src/market-api/market-api.module.js';
import { usersMigration } from '../src/migrations/0001-users.migration.js';
import { OpenApiModule } from '../src/openapi/openapi.module.js';
import { TradeHistoryModule } from '../src/trade-history/trade-history.module.js';
import { listenOnLoopback } from './listen-on-loopback.js';

const MINUTE = 60_000_000;
const SECOND = 1_000_000;
const SNAPSHOT_TIMEOUT_MS = 400;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads whatever came back
  body: any;
}

function get(port: number, path: string, token?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => {
          const json = String(incoming.headers['content-type']).startsWith('application/json');
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            text,
            body: json && text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const query = (params: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();

/** An instrument other than `instrument` whose slot is the same, so the slot's subject carries both. */
function slotNeighbourOf(instrument: string): string {
  const slot = instrumentSlot(instrument);
  for (let n = 0; n < 1_000_000; n += 1) {
    const candidate = `N${n}/USDT`;
    if (instrumentSlot(candidate) === slot) return candidate;
  }
  throw new Error(`no neighbour found for ${instrument}`);
}

function aggregate(instrument: string): AggregateV1 {
  return {
    v: 1,
    instrument,
    tsInit: 1_714_521_600_000_000,
    sources: [
      {
        source: 'paper',
        bid: 64_999.5,
        bidSize: 1.25,
        ask: 65_000.5,
        askSize: 0.75,
        mid: 65_000,
        tsEvent: 1_714_521_599_990_000,
        tsInit: 1_714_521_599_995_000,
        ticksPerSec: 4,
        receiveLatencyMicros: 5_000,
        book: 'trusted',
      },
    ],
    book: {
      bids: [{ price: 64_999.5, size: 1.25, sources: [{ source: 'paper', size: 1.25 }] }],
      asks: [{ price: 65_000.5, size: 0.75, sources: [{ source: 'paper', size: 0.75 }] }],
    },
    bestBid: { price: 64_999.5, size: 1.25, source: 'paper' },
    bestAsk: { price: 65_000.5, size: 0.75, source: 'paper' },
    lastTrade: { price: 65_000, amount: 0.1, source: 'paper', tsEvent: 1_714_521_599_900_000 },
    vwap: { candle: 65_000, candleIntervalMicros: SECOND, session: 64_990.25 },
    candles: [],
    comparisons: [],
    arbitrage: [],
  };
}

function candle(instrument: string, intervalMicros: number, start: number, close: number): CandleV1 {
  return {
    v: 1,
    instrument,
    intervalMicros,
    start,
    open: close - 1,
    high: close + 2,
    low: close - 3,
    close,
    volume: 1.5,
    trades: 7,
  };
}

/** The gateway's REST modules in a Nest app of their own, with the host's tokens provided here. */
class RestApiHarness {
  private constructor(
    readonly app: INestApplication,
    readonly dataSource: DataSource,
    readonly link: NatsLink,
    private readonly schema: TestSchema,
  ) {}

  static async open(databaseUrl: string, natsUrl: string, root: string): Promise<RestApiHarness> {
    const schema = await createTestSchema(databaseUrl, 'wsgr');
    const migrations = [usersMigration];
    const dataSource = createServiceDataSource({
      url: databaseUrl,
      schema: schema.schema,
      applicationName: 'ws-gateway-rest-test',
      migrations,
    });
    await dataSource.initialize();
    await runMigrations(dataSource, { schema: schema.schema, migrations });
    const link = await NatsLink.connect({
      servers: [natsUrl],
      name: 'ws-gateway-rest-test',
      pingIntervalMs: 2_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    const config = loadConfig(wsGatewayConfigSpec, {
      TM_DATABASE_URL: databaseUrl,
      TM_ENV: 'test',
      TM_JWT_SECRET: 'integration-test-secret-of-at-least-32-characters',
      TM_ADMIN_USER: 'root',
      TM_ADMIN_PASSWORD: 'correct-horse-battery',
    });
    const logger = createLogger({
      service: 'ws-gateway',
      instance: 'rest-test',
      level: 'warn',
      destination: { write: () => undefined },
    });

    @Global()
    @Module({
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: DATA_SOURCE, useValue: dataSource },
        { provide: LOGGER, useValue: logger },
        { provide: NATS_LINK, useValue: link },
        { provide: SUBJECTS, useValue: createSubjects(root) },
      ],
      exports: [SERVICE_CONFIG, DATA_SOURCE, LOGGER, NATS_LINK, SUBJECTS],
    })
    class TestHostModule {}

    @Module({
      imports: [
        TestHostModule,
        AuthModule,
        // The test publishes candles minutes after they closed, later than the aggregator would.
        MarketApiModule.register({ snapshotTimeoutMs: SNAPSHOT_TIMEOUT_MS, candlePublishGraceMs: 3_600_000 }),
        // The fills table is made in the test schema, not venue-connectors'.
        TradeHistoryModule.register({ fillsSchema: schema.schema }),
        OpenApiModule,
      ],
    })
    class TestRootModule {}

    const app = await NestFactory.create(TestRootModule, { logger: false, abortOnError: false });
    app.useGlobalFilters(new ReplyErrorFilter());
    return new RestApiHarness(app, dataSource, link, schema);
  }

  get schemaName(): string {
    return this.schema.schema;
  }

  listen(): Promise<number> {
    return listenOnLoopback(this.app);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.link.close();
    await this.dataSource.destroy();
    await this.schema.drop();
  }
}

describe('ws-gateway REST API (real PostgreSQL and NATS)', () => {
  const root = uniqueSubjectRoot();
  const subjects = createSubjects(root);
  const streams = createStreams(root);
  let gateway: RestApiHarness;
  let jsm: JetStreamManager;
  let port: number;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    gateway = await RestApiHarness.open(inject('databaseUrl'), inject('natsUrl'), root);
    jsm = await gateway.link.jetstreamManager();
    await provisionStream(jsm, streams.MD, { storage: 'memory' });
    port = await gateway.listen();
    const issuer = gateway.app.get(TokenService);
    for (const role of ['viewer', 'trader', 'admin'] as const) {
      tokens[role] = (await issuer.issueAccessToken({ id: randomUUID(), username: `${role}-1`, role })).token;
    }
  });

  afterAll(async () => {
    await jsm?.streams.delete(streams.MD.name).catch(() => false);
    await gateway?.close();
  });

  describe('GET /api/market/snapshot', () => {
    const kept = new Map([['BTC/USDT', aggregate('BTC/USDT')]]);
    /** Instruments whose slot no aggregator owns right now: the request goes unanswered. */
    const unowned = new Set(['XRP/USDT']);
    const asked: { subject: string; request: unknown }[] = [];
    let responder: Subscription;

    beforeAll(async () => {
      // Answers as services/aggregator's SnapshotResponder does: the envelope, NOT_FOUND without data.
      responder = gateway.link.connection.subscribe(subjects.all.mdSnapshot(), {
        callback: (error, msg) => {
          if (error !== null) return;
          const request = decodePayload(AggregateSnapshotRequestV1, msg.data);
          asked.push({ subject: msg.subject, request: request.ok ? request.value : request.reason });
          if (!request.ok || unowned.has(request.value.instrument)) return;
          const snapshot = kept.get(request.value.instrument);
          const reply: ReplyEnvelope<AggregateV1> =
            snapshot === undefined
              ? {
                  v: 1,
                  ok: false,
                  error: { code: 'NOT_FOUND', message: `no market data for ${request.value.instrument} yet` },
                }
              : { v: 1, ok: true, result: snapshot };
          msg.respond(encodePayload(reply));
        },
      });
      await gateway.link.connection.flush();
    });
    afterAll(() => responder.unsubscribe());

    it("answers the slot owner's AggregateV1, asked on the instrument's slot subject", async () => {
      const reply = await get(port, `/api/market/snapshot?instrument=BTC/USDT`, tokens.viewer);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(aggregate('BTC/USDT'));
      expect(asked.at(-1)).toEqual({
        subject: subjects.mdSnapshot(instrumentSlot('BTC/USDT')),
        request: { v: 1, instrument: 'BTC/USDT' },
      });
    });

    it('answers 404 when the owner has no data for the instrument', async () => {
      const reply = await get(port, `/api/market/snapshot?instrument=ETH/USDT`, tokens.trader);
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({
        statusCode: 404,
        code: 'NO_MARKET_DATA',
        message: 'no market data for ETH/USDT yet',
      });
    });

    it('answers 400 naming the instrument when it is not a unified symbol, without asking NATS', async () => {
      const before = asked.length;
      const reply = await get(port, `/api/market/snapshot?instrument=btc-usdt`, tokens.viewer);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({
        statusCode: 400,
        message: 'invalid query',
        details: ['instrument: must be a unified symbol like BTC/USDT'],
      });
      expect((await get(port, `/api/market/snapshot`, tokens.viewer)).body.details).toEqual([
        expect.stringMatching(/^instrument: /),
      ]);
      expect(asked.length).toBe(before);
    });

    it('answers 503 when the request goes unanswered', async () => {
      const started = Date.now();
      const reply = await get(port, `/api/market/snapshot?instrument=XRP/USDT`, tokens.viewer);
      expect(reply.status).toBe(503);
      expect(reply.body.code).toBe('MARKET_DATA_UNAVAILABLE');
      expect(reply.body.message).toMatch(
        /^no aggregator answered for XRP\/USDT \(slot \d+\): .*within 400 ms/,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(SNAPSHOT_TIMEOUT_MS);
    });

    it('answers 401 without a valid bearer token', async () => {
      const none = await get(port, `/api/market/snapshot?instrument=BTC/USDT`);
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ statusCode: 401, code: 'INVALID_TOKEN' });
      expect((await get(port, `/api/market/snapshot?instrument=BTC/USDT`, 'garbage')).status).toBe(401);
    });

    it('answers 503 at once when nobody listens on the subject', async () => {
      responder.unsubscribe();
      await gateway.link.connection.flush();
      const reply = await get(port, `/api/market/snapshot?instrument=BTC/USDT`, tokens.viewer);
      expect(reply.status).toBe(503);
      expect(reply.body.message).toMatch(/no responder listens on/);
    });
  });

  describe('GET /api/market/candles', () => {
    const neighbour = slotNeighbourOf('BTC/USDT');
    // Aligned minute starts in the last few minutes, so the stream time of each is after its start, as live.
    const base = Math.floor((Date.now() * 1_000) / MINUTE) * MINUTE - 10 * MINUTE;
    const minutes = [0, 1, 2, 3, 4, 5].map((n) => candle('BTC/USDT', MINUTE, base + n * MINUTE, 100 + n));
    const seconds = [0, 1].map((n) => candle('BTC/USDT', SECOND, base + n * SECOND, 200 + n));
    const candles = (params: Record<string, string | number>, token = tokens.viewer) =>
      get(port, `/api/market/candles?${query(params)}`, token);

    beforeAll(async () => {
      const js = gateway.link.jetstream;
      const slot = instrumentSlot('BTC/USDT');
      for (const [index, closed] of minutes.entries()) {
        await js.publish(subjects.mdCandle(slot), encodePayload(closed));
        // Interleaved, as the aggregator publishes them: other intervals, other instruments of the slot.
        if (index < seconds.length) await js.publish(subjects.mdCandle(slot), encodePayload(seconds[index]));
        await js.publish(subjects.mdCandle(slot), encodePayload(candle(neighbour, MINUTE, closed.start, 1)));
        await js.publish(
          subjects.mdCandle(instrumentSlot('ETH/USDT')),
          encodePayload(candle('ETH/USDT', MINUTE, closed.start, 3_000)),
        );
      }
      await js.publish(subjects.mdCandle(slot), new TextEncoder().encode('{"not":"a candle"}'));
    });

    it('answers the first candles from `from`, of the instrument and interval only, oldest first', async () => {
      const reply = await candles({
        instrument: 'BTC/USDT',
        interval: '1m',
        from: new Date((base + MINUTE) / 1_000).toISOString(),
        limit: 3,
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        instrument: 'BTC/USDT',
        interval: '1m',
        intervalMicros: MINUTE,
        candles: minutes.slice(1, 4),
      });
    });

    it('answers the latest `limit` candles without `from`, and stops at `to` (exclusive)', async () => {
      const latest = await candles({ instrument: 'BTC/USDT', limit: 2 });
      expect(latest.body.candles).toEqual(minutes.slice(4));
      const upTo = await candles({
        instrument: 'BTC/USDT',
        to: new Date((base + 3 * MINUTE) / 1_000).toISOString(),
        limit: 500,
      });
      expect(upTo.body.candles).toEqual(minutes.slice(0, 3));
    });

    it('answers another interval and another instrument from their own candles', async () => {
      expect((await candles({ instrument: 'BTC/USDT', interval: '1s' })).body.candles).toEqual(seconds);
      const eth = await candles({ instrument: 'ETH/USDT', interval: '1m', limit: 1 });
      expect(eth.body.candles).toEqual([candle('ETH/USDT', MINUTE, minutes[5].start, 3_000)]);
      expect((await candles({ instrument: 'SOL/USDT' })).body).toMatchObject({ candles: [] });
    });

    it('answers 400 naming each bad field', async () => {
      const reply = await candles({
        instrument: 'BTC/USDT',
        interval: 'fortnight',
        limit: 5_001,
        from: 'soon',
      });
      expect(reply.status).toBe(400);
      const fields = (reply.body.details as string[]).map((detail) => detail.split(':')[0]);
      expect(fields.sort()).toEqual(['from', 'interval', 'limit']);
      const reversed = await candles({ instrument: 'BTC/USDT', from: '2024-05-02', to: '2024-05-01' });
      expect(reversed.body.details).toEqual(['to: must not be before from']);
    });

    it('answers 503 naming the stream when the MD stream does not exist', async () => {
      await jsm.streams.delete(streams.MD.name);
      const reply = await candles({ instrument: 'BTC/USDT' });
      expect(reply.status).toBe(503);
      expect(reply.body).toEqual({
        statusCode: 503,
        code: 'MARKET_DATA_UNAVAILABLE',
        message: `stream ${streams.MD.name} does not exist: no aggregator has provisioned it yet`,
      });
    });
  });

  describe('fills and P&L', () => {
    const fills = [
      // venue, account, instrument, trade_id, side, price, amount, fee_cost, fee_currency, ts_event
      [
        'paper',
        'desk',
        'BTC/USDT',
        'p-1',
        'buy',
        '100.00',
        '2',
        '0.2',
        'USDT',
        '2024-05-01T09:00:00.000001Z',
      ],
      ['paper', 'desk', 'BTC/USDT', 'p-2', 'buy', '130', '1.000', '0.13', 'USDT', '2024-05-01T10:00:00Z'],
      ['paper', 'desk', 'BTC/USDT', 'p-3', 'sell', '120', '1.5', '0.18', 'USDT', '2024-05-02T09:00:00Z'],
      // Closes 1.5 at 90 against 110, then opens 1 short at 90; the fee is in BNB.
      ['paper', 'desk', 'BTC/USDT', 'p-4', 'sell', '90', '2.5', '0.01', 'BNB', '2024-05-02T10:00:00Z'],
      ['binance', 'desk', 'ETH/USDT', 'b-1', 'buy', '3000.5', '0.1', null, null, '2024-05-01T12:00:00Z'],
      [
        'binance',
        'other',
        'BTC/USDT',
        'b-2',
        'sell',
        '65000.10000000',
        '0.01',
        '0.65',
        'USDT',
        '2024-05-03T00:00:00Z',
      ],
    ] as const;
    const trades = (params: Record<string, string | number>, token = tokens.trader, path = '/api/trades') =>
      get(port, `${path}?${query(params)}`, token);

    beforeAll(async () => {
      const table = `"${gateway.schemaName}".venue_fills`;
      // venue-connectors' table as its migration 0001 makes it.
      await gateway.dataSource.query(`
        CREATE TABLE ${table} (
          venue text NOT NULL, account text NOT NULL, instrument text NOT NULL, trade_id text NOT NULL,
          venue_order_id text NOT NULL, client_order_id text, side text NOT NULL, price numeric NOT NULL,
          amount numeric NOT NULL, fee_cost numeric, fee_currency text, liquidity text,
          reconciled boolean NOT NULL, ts_event timestamptz NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT venue_fills_pk PRIMARY KEY (venue, account, instrument, trade_id))`);
      for (const [
        venue,
        account,
        instrument,
        tradeId,
        side,
        price,
        amount,
        feeCost,
        feeCurrency,
        ts,
      ] of fills) {
        await gateway.dataSource.query(
          `INSERT INTO ${table} (venue, account, instrument, trade_id, venue_order_id, client_order_id, side,
             price, amount, fee_cost, fee_currency, liquidity, reconciled, ts_event)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [
            venue,
            account,
            instrument,
            tradeId,
            `o-${tradeId}`,
            tradeId === 'p-1' ? 'c,"1"' : null,
            side,
            price,
            amount,
            feeCost,
            feeCurrency,
            'taker',
            tradeId === 'b-2',
            ts,
          ],
        );
      }
    });

    it('lists every fill by venue time, decimals exactly as PostgreSQL keeps them', async () => {
      const reply = await trades({});
      expect(reply.status).toBe(200);
      expect(reply.body.truncated).toBe(false);
      expect(reply.body.fills.map((fill: { tradeId: string }) => fill.tradeId)).toEqual([
        'p-1',
        'p-2',
        'b-1',
        'p-3',
        'p-4',
        'b-2',
      ]);
      expect(reply.body.fills[0]).toEqual({
        venue: 'paper',
        account: 'desk',
        instrument: 'BTC/USDT',
        tradeId: 'p-1',
        venueOrderId: 'o-p-1',
        clientOrderId: 'c,"1"',
        side: 'buy',
        price: '100.00',
        amount: '2',
        feeCost: '0.2',
        feeCurrency: 'USDT',
        liquidity: 'taker',
        reconciled: false,
        tsEvent: 1_714_554_000_000_001,
        time: '2024-05-01T09:00:00.000001Z',
      });
      expect(reply.body.fills[1]).toMatchObject({ price: '130', amount: '1.000' });
      expect(reply.body.fills[5]).toMatchObject({ price: '65000.10000000', reconciled: true });
    });

    it('filters by account, venue, instrument and time range, and says when the limit cut the list', async () => {
      const ids = async (params: Record<string, string | number>) =>
        (await trades(params)).body.fills.map((fill: { tradeId: string }) => fill.tradeId);
      expect(await ids({ account: 'other' })).toEqual(['b-2']);
      expect(await ids({ venue: 'binance' })).toEqual(['b-1', 'b-2']);
      expect(await ids({ instrument: 'BTC/USDT', account: 'desk' })).toEqual(['p-1', 'p-2', 'p-3', 'p-4']);
      // `from` inclusive to the microsecond, `to` exclusive.
      expect(await ids({ from: '2024-05-01T09:00:00.000001Z', to: '2024-05-02T09:00:00Z' })).toEqual([
        'p-1',
        'p-2',
        'b-1',
      ]);
      expect(await ids({ from: '2024-05-01T09:00:00.000002Z', to: '2024-05-01T12:00:00Z' })).toEqual(['p-2']);
      const cut = await trades({ limit: 2 });
      expect(cut.body).toMatchObject({ truncated: true });
      expect(cut.body.fills).toHaveLength(2);
    });

    it('exports the same fills as a CSV attachment', async () => {
      const reply = await trades(
        { account: 'desk', venue: 'paper', limit: 2 },
        tokens.admin,
        '/api/trades.csv',
      );
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^text\/csv/);
      expect(reply.headers['content-disposition']).toBe('attachment; filename="trades.csv"');
      expect(reply.text).toBe(
        'time,venue,account,instrument,side,price,amount,fee_cost,fee_currency,liquidity,trade_id,venue_order_id,client_order_id,reconciled\r\n' +
          '2024-05-01T09:00:00.000001Z,paper,desk,BTC/USDT,buy,100.00,2,0.2,USDT,taker,p-1,o-p-1,"c,""1""",false\r\n' +
          '2024-05-01T10:00:00.000000Z,paper,desk,BTC/USDT,buy,130,1.000,0.13,USDT,taker,p-2,o-p-2,,false\r\n',
      );
    });

    it('computes realized P&L per UTC day with the cost carried from before the range', async () => {
      const reply = await get(
        port,
        `/api/pnl/daily?${query({ account: 'desk', venue: 'paper', from: '2024-05-02', to: '2024-05-02' })}`,
        tokens.trader,
      );
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        method: 'average-cost',
        days: [
          {
            date: '2024-05-02',
            venue: 'paper',
            account: 'desk',
            instrument: 'BTC/USDT',
            quoteCurrency: 'USDT',
            fills: 2,
            bought: '0',
            sold: '4',
            // 1.5 × (120 − 110) + 1.5 × (90 − 110) = 15 − 30.
            grossRealizedPnl: '-15',
            quoteFees: '0.18',
            realizedPnl: '-15.18',
            otherFees: [{ currency: 'BNB', amount: '0.01' }],
            position: '-1',
            averageCost: '90',
          },
        ],
      });
      const everything = await get(port, '/api/pnl/daily', tokens.admin);
      expect(
        everything.body.days.map((day: { date: string; venue: string; realizedPnl: string }) => [
          day.date,
          day.venue,
          day.realizedPnl,
        ]),
      ).toEqual([
        ['2024-05-01', 'binance', '0'],
        ['2024-05-01', 'paper', '-0.33'],
        ['2024-05-02', 'paper', '-15.18'],
        ['2024-05-03', 'binance', '-0.65'],
      ]);
    });

    it('answers 400 naming the field for a bad query', async () => {
      const bad = await trades({ from: 'yesterday', limit: 0 });
      expect(bad.status).toBe(400);
      expect((bad.body.details as string[]).map((d) => d.split(':')[0]).sort()).toEqual(['from', 'limit']);
      const pnl = await get(
        port,
        `/api/pnl/daily?${query({ from: '2024-05-03', to: '2024-05-01' })}`,
        tokens.trader,
      );
      expect(pnl.status).toBe(400);
      expect(pnl.body.details).toEqual(['to: must not be before from']);
    });

    it('answers 403 to a viewer and 401 without a token, on every route', async () => {
      for (const path of ['/api/trades', '/api/trades.csv', '/api/pnl/daily']) {
        const viewer = await get(port, path, tokens.viewer);
        expect(viewer.status, path).toBe(403);
        expect(viewer.body.message).toBe('role viewer may not use this route: trader or admin only');
        expect((await get(port, path)).status, path).toBe(401);
      }
    });

    it('answers an empty list, not an error, when the fills table does not exist', async () => {
      const table = `"${gateway.schemaName}".venue_fills`;
      await gateway.dataSource.query(`ALTER TABLE ${table} RENAME TO venue_fills_away`);
      try {
        expect((await trades({})).body).toEqual({ fills: [], truncated: false });
        expect((await trades({}, tokens.trader, '/api/trades.csv')).text.split('\r\n')).toHaveLength(2);
        expect((await get(port, '/api/pnl/daily', tokens.trader)).body).toEqual({
          method: 'average-cost',
          days: [],
        });
      } finally {
        await gateway.dataSource.query(
          `ALTER TABLE "${gateway.schemaName}".venue_fills_away RENAME TO venue_fills`,
        );
      }
    });
  });

  describe('GET /api/openapi.json', () => {
    it('is public and describes every route with bearer security on the guarded ones', async () => {
      const reply = await get(port, '/api/openapi.json');
      expect(reply.status).toBe(200);
      const document = reply.body;
      expect(document.openapi).toBe('3.1.0');
      expect(document.components.securitySchemes.bearerAuth).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      expect(document.paths['/api/trades'].get['x-roles']).toEqual(['trader', 'admin']);
      expect(
        document.paths['/api/market/candles'].get.parameters.map((p: { name: string }) => p.name),
      ).toEqual(['instrument', 'interval', 'from', 'to', 'limit']);
      expect(document.components.schemas.AggregateV1.required).toContain('bestBid');
    });

    it('documents only routes that this app serves (the host, push and flow routes aside)', async () => {
      const document = (await get(port, '/api/openapi.json')).body as { paths: Record<string, object> };
      const elsewhere = new Set(['/health', '/ready', '/metrics', '/api/push/poll']);
      // The flow routes are served and checked in flow-api.integration-spec.ts.
      const served = Object.keys(document.paths).filter(
        (path) => !elsewhere.has(path) && !path.startsWith('/api/flows/'),
      );
      expect(served.length).toBe(8);
      for (const path of served) {
        const method = Object.keys(document.paths[path])[0];
        const reply = await new Promise<number>((resolve, reject) => {
          const outgoing = request(
            { host: '127.0.0.1', port, path, method: method.toUpperCase() },
            (incoming) => {
              incoming.resume();
              resolve(incoming.statusCode ?? 0);
            },
          );
          outgoing.on('error', reject);
          outgoing.end();
        });
        expect(reply, `${method} ${path}`).not.toBe(404);
      }
    });
  });
});
