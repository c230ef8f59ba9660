// The LP link against a real NATS server and a real FIX acceptor playing the liquidity provider
// (FixLiquidityProvider of @tm/testing): it answers our MarketDataRequest with a W per symbol and then sends X
// updates; it is stopped and started again to see the link reconnect on its own.
import 'reflect-metadata';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { BookDeltaV1, createSubjects, decodePayload, TickV1 } from '@tm/contracts';
import { createLogger } from '@tm/telemetry';
import {
  expectEventually,
  freePort,
  uniqueSubjectRoot,
  TestCertificate,
  FixLiquidityProvider,
  type QuoteLevel,
} from '@tm/testing';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { LiquidityProviderConfig } from '../src/liquidity/liquidity-provider.config.js';
import {
  LiquidityProviderLinks,
  type LiquidityProviderLink,
  type LiquidityProviderLinkState,
} from '../src/liquidity/liquidity-provider-link.js';

const BTC = 'BTC/USDT';
const ETH = 'ETH/USDT';
/** Any tsInit after 2020-01-01 in microseconds; a milliseconds value would be a thousand times smaller. */
const MICROS_2020 = Date.UTC(2020, 0, 1) * 1000;

type Level = QuoteLevel;

describe('LiquidityProviderLink over real NATS and a FIX acceptor', () => {
  const subjects = createSubjects(uniqueSubjectRoot());
  const logger = createLogger({ service: 'fix-server', instance: 'lp-test', level: 'silent' });
  let nc: NatsConnection;
  const subscriptions: Subscription[] = [];
  const ticks: TickV1[] = [];
  const books: BookDeltaV1[] = [];
  let lp: FixLiquidityProvider | null = null;
  let links: LiquidityProviderLinks | null = null;
  const states: LiquidityProviderLinkState[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: inject('natsUrl') });
    subscriptions.push(
      nc.subscribe(subjects.all.mdTick(), {
        callback: (_, msg) => {
          const decoded = decodePayload(TickV1, msg.data);
          if (decoded.ok) ticks.push(decoded.value);
        },
      }),
      nc.subscribe(subjects.all.mdBook(), {
        callback: (_, msg) => {
          const decoded = decodePayload(BookDeltaV1, msg.data);
          if (decoded.ok) books.push(decoded.value);
        },
      }),
    );
    await nc.flush();
  });

  afterEach(async () => {
    await links?.stop();
    links = null;
    lp?.close();
    lp = null;
    ticks.length = 0;
    books.length = 0;
    states.length = 0;
  });

  afterAll(async () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await nc.close();
  });

  async function startLink(port: number, tls?: { ca: string }): Promise<LiquidityProviderLink> {
    const config = LiquidityProviderConfig.parse({
      name: 'lp1',
      host: '127.0.0.1',
      port,
      ...(tls && { tls: { ca: tls.ca, servername: 'localhost' } }),
      senderCompId: 'TM',
      targetCompId: 'LP1',
      heartBtInt: 5,
      instruments: [BTC, ETH],
      depth: 5,
    });
    links = new LiquidityProviderLinks({
      providers: [config],
      nc,
      subjects,
      logger,
      backoff: { baseMs: 20, capMs: 200 },
      connectTimeoutMs: 2_000,
      onStateChange: (state) => states.push(state),
    });
    links.start();
    const link = links.get('lp1');
    if (!link) throw new Error('no link lp1');
    return link;
  }

  it('publishes the LP’s W and X as ticks and books of source fix:lp1, and again after the LP restarts', async () => {
    const port = await freePort();
    const quotes = new Map([
      [BTC, { bids: [[100, 1] as Level, [99, 2] as Level], asks: [[101, 3] as Level] }],
      [ETH, { bids: [[10, 1] as Level], asks: [[11, 1] as Level] }],
    ]);
    // The link starts first: its connects are refused until the LP listens.
    const link = await startLink(port);
    await expectEventually(() => expect(link.counters.reconnects).toBeGreaterThan(0));
    expect(link.state).not.toBe('logged-on');

    lp = new FixLiquidityProvider(port, quotes);
    await lp.listen();
    await expectEventually(() => expect(link.state).toBe('logged-on'));
    await expectEventually(() => expect(lp?.requests).toHaveLength(1));
    expect(lp.requests[0]).toMatchObject({
      SubscriptionRequestType: '1',
      MarketDepth: 5,
      MDUpdateType: 1,
      MDReqGrp: [{ MDEntryType: '0' }, { MDEntryType: '1' }],
      InstrmtMDReqGrp: [{ Instrument: { Symbol: BTC } }, { Instrument: { Symbol: ETH } }],
    });

    await expectEventually(() => {
      expect(ticks).toContainEqual(
        expect.objectContaining({
          instrument: BTC,
          source: 'fix:lp1',
          bid: 100,
          bidSize: 1,
          ask: 101,
          askSize: 3,
        }),
      );
      expect(ticks).toContainEqual(
        expect.objectContaining({ instrument: ETH, source: 'fix:lp1', bid: 10, ask: 11 }),
      );
    });
    for (const tick of ticks) {
      expect(Number.isInteger(tick.tsInit)).toBe(true);
      expect(tick.tsInit).toBeGreaterThan(MICROS_2020);
      expect(tick.tsEvent).toBeGreaterThan(MICROS_2020);
    }
    expect(books).toContainEqual(
      expect.objectContaining({
        instrument: BTC,
        source: 'fix:lp1',
        snapshot: true,
        bids: [
          [100, 1],
          [99, 2],
        ],
        asks: [[101, 3]],
      }),
    );

    lp.update([
      {
        MDUpdateAction: '0',
        MDEntryType: '0',
        Instrument: { Symbol: BTC },
        MDEntryPx: 100.5,
        MDEntrySize: 4,
      },
      { MDUpdateAction: '2', MDEntryType: '1', Instrument: { Symbol: BTC }, MDEntryPx: 101 },
      {
        MDUpdateAction: '0',
        MDEntryType: '1',
        Instrument: { Symbol: BTC },
        MDEntryPx: 101.5,
        MDEntrySize: 2,
      },
    ]);
    await expectEventually(() =>
      expect(ticks).toContainEqual(
        expect.objectContaining({ instrument: BTC, bid: 100.5, bidSize: 4, ask: 101.5, askSize: 2 }),
      ),
    );
    expect(books).toContainEqual(
      expect.objectContaining({
        instrument: BTC,
        snapshot: false,
        bids: [[100.5, 4]],
        asks: [
          [101, 0],
          [101.5, 2],
        ],
      }),
    );

    // The LP goes away: the link notices and keeps trying.
    lp.close();
    const reconnectsBefore = link.counters.reconnects;
    await expectEventually(() => expect(link.state).not.toBe('logged-on'));
    await expectEventually(() => expect(link.counters.reconnects).toBeGreaterThan(reconnectsBefore));

    // It comes back quoting other prices: the link logs on again, subscribes again, and ticks flow again.
    quotes.set(BTC, { bids: [[200, 1]], asks: [[201, 1]] });
    lp = new FixLiquidityProvider(port, quotes);
    await lp.listen();
    await expectEventually(() => expect(link.state).toBe('logged-on'));
    await expectEventually(() =>
      expect(ticks).toContainEqual(
        expect.objectContaining({ instrument: BTC, source: 'fix:lp1', bid: 200, ask: 201 }),
      ),
    );
    expect(link.counters.logons).toBe(2);
    expect(lp.requests).toHaveLength(1);
    expect(books).toContainEqual(
      expect.objectContaining({ instrument: BTC, snapshot: true, bids: [[200, 1]], asks: [[201, 1]] }),
    );
    expect(states).toContain('waiting');

    await links?.stop();
    expect(link.state).toBe('stopped');
  });

  it('counts a MarketDataRequestReject and stays logged on', async () => {
    const port = await freePort();
    lp = new FixLiquidityProvider(port, new Map());
    lp.rejectRequests = true;
    await lp.listen();
    const link = await startLink(port);
    await expectEventually(() => expect(link.counters.rejects).toBe(1));
    expect(link.state).toBe('logged-on');
    expect(ticks).toEqual([]);
  });

  it('connects over TLS, trusting the configured CA', async () => {
    const certificate = TestCertificate.create();
    try {
      const port = await freePort();
      lp = new FixLiquidityProvider(port, new Map([[ETH, { bids: [[10, 1]], asks: [[11, 2]] }]]), {
        tls: { cert: certificate.cert, key: certificate.key },
      });
      await lp.listen();
      const link = await startLink(port, { ca: certificate.certFile });
      await expectEventually(() =>
        expect(ticks).toContainEqual(
          expect.objectContaining({ instrument: ETH, source: 'fix:lp1', bid: 10, ask: 11, askSize: 2 }),
        ),
      );
      expect(link.state).toBe('logged-on');
    } finally {
      certificate.dispose();
    }
  });
});
