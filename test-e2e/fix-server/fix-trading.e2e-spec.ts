// FIX clients trading through the whole fleet as built: the paper venue (venue-connectors), the
// aggregator, the flow engine and fix-server, with a jspurefix initiator as the prime broker.
import { expectEventually } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FlowTestBed } from '../flow-engine/flow-test-bed.js';
import { CLIENT_PASSWORD, FixServerProcess } from './fix-server-process.js';
import { FixTestClient } from './fix-test-client.js';

type Loose = Record<string, unknown>;
const header = (m: Loose) => m['StandardHeader'] as Loose;

function marketDataRequest(mdReqId: string, symbol: string, subscription: '0' | '1' | '2', depth = 5): Loose {
  return {
    MDReqID: mdReqId,
    SubscriptionRequestType: subscription,
    MarketDepth: depth,
    MDUpdateType: 1,
    MDReqGrp: [{ MDEntryType: '0' }, { MDEntryType: '1' }],
    InstrmtMDReqGrp: [{ Instrument: { Symbol: symbol } }],
  };
}

function newOrder(clOrdId: string, side: '1' | '2', qty: string, price: string): Loose {
  return {
    ClOrdID: clOrdId,
    Account: 'paper-main',
    Side: side,
    Instrument: { Symbol: 'ETH/USDT' },
    OrderQtyData: { OrderQty: qty },
    OrdType: '2',
    Price: price,
    TimeInForce: '1',
    TransactTime: new Date(),
  };
}

describe('fix-server trading through the fleet', () => {
  let bed: FlowTestBed;
  let server: FixServerProcess;
  let client: FixTestClient;

  /** The execution reports of one ClOrdID, in the order they came. */
  const reportsOf = (clOrdId: string) => client.of('8').filter((r) => r['ClOrdID'] === clOrdId);

  /** Best bid and ask of ETH/USDT from a FIX snapshot (W). */
  async function touch(): Promise<{ bid: number; ask: number }> {
    const id = `touch-${Date.now()}`;
    client.send('V', marketDataRequest(id, 'ETH/USDT', '0', 1));
    let snapshot: Loose | undefined;
    await expectEventually(() => {
      snapshot = client.of('W').find((w) => w['MDReqID'] === id);
      expect(snapshot).toBeDefined();
    }, 10_000);
    const entries = snapshot!['MDFullGrp'] as Loose[];
    const price = (type: string) => Number(entries.find((e) => e['MDEntryType'] === type)!['MDEntryPx']);
    return { bid: price('0'), ask: price('1') };
  }

  beforeAll(async () => {
    bed = await FlowTestBed.open(inject('natsUrl'), inject('databaseUrl'));
    await bed.startMarket();
    await bed.flowEngine('fe-fix-e2e');
    server = await FixServerProcess.start(
      {
        natsUrl: bed.natsUrl,
        databaseUrl: bed.database.url,
        root: bed.root,
        extra: { TM_FIX_PROBE_INTERVAL: '200ms' },
      },
      await FixServerProcess.freePorts(),
    );
    await server.createClient('BROKER', {
      allowedAccounts: ['paper-main'],
      maxMessagesPerSecond: 1_000,
      maxSubscriptions: 2,
    });
    client = new FixTestClient({ port: server.ports.tcp, senderCompId: 'BROKER', password: CLIENT_PASSWORD });
    await client.connect();
    await expectEventually(() => expect(client.of('A')).toHaveLength(1), 10_000);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await server?.process.dispose();
    await bed?.close();
  });

  it('a market-data subscription delivers W, then X as the paper venue moves; Y for an unknown symbol', async () => {
    client.send('V', marketDataRequest('md-btc', 'BTC/USDT', '1'));
    await expectEventually(
      () => expect(client.of('W').some((w) => w['MDReqID'] === 'md-btc')).toBe(true),
      15_000,
    );
    const snapshot = client.of('W').find((w) => w['MDReqID'] === 'md-btc')!;
    const levels = snapshot['MDFullGrp'] as Loose[];
    expect(levels.filter((e) => e['MDEntryType'] === '0').length).toBeGreaterThan(0);
    expect(levels.filter((e) => e['MDEntryType'] === '1').length).toBeLessThanOrEqual(5);
    await expectEventually(
      () => expect(client.of('X').some((x) => x['MDReqID'] === 'md-btc')).toBe(true),
      20_000,
    );
    const update = client.of('X').find((x) => x['MDReqID'] === 'md-btc')!;
    const entries = update['MDIncGrp'] as Loose[];
    expect(entries.every((e) => (e['Instrument'] as Loose)['Symbol'] === 'BTC/USDT')).toBe(true);
    expect(entries.every((e) => ['0', '1', '2'].includes(String(e['MDUpdateAction'])))).toBe(true);

    client.send('V', marketDataRequest('md-nope', 'NOPE/USDT', '1'));
    await expectEventually(
      () => expect(client.of('Y').some((y) => y['MDReqID'] === 'md-nope')).toBe(true),
      10_000,
    );
    expect(client.of('Y').find((y) => y['MDReqID'] === 'md-nope')).toMatchObject({ MDReqRejReason: '0' });

    // Unsubscribed: no more X for it once the unsubscribe has been taken.
    client.send('V', marketDataRequest('md-btc', 'BTC/USDT', '2'));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const seen = client.of('X').filter((x) => x['MDReqID'] === 'md-btc').length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(client.of('X').filter((x) => x['MDReqID'] === 'md-btc').length).toBe(seen);
  }, 60_000);

  it('a marketable limit order fills on the paper venue with New then Fill; a duplicate ClOrdID is rejected, a retransmitted one answered with its status', async () => {
    const { ask } = await touch();
    client.send('D', newOrder('buy-1', '1', '0.01', (ask * 1.002).toFixed(2)));
    await expectEventually(() => {
      const reports = reportsOf('buy-1');
      expect(reports[0]).toMatchObject({ ExecType: '0', OrdStatus: '0' });
      expect(reports.at(-1)).toMatchObject({ OrdStatus: '2' });
    }, 30_000);
    const fill = reportsOf('buy-1').at(-1)!;
    expect(Number(fill['CumQty'])).toBe(0.01);
    expect(Number(fill['LeavesQty'])).toBe(0);
    expect(Number(fill['AvgPx'])).toBeGreaterThan(0);
    expect(Number(fill['AvgPx'])).toBeLessThanOrEqual(ask * 1.002);
    expect(fill['OrderID']).toBeTruthy();

    client.send('D', newOrder('buy-1', '1', '0.01', (ask * 1.002).toFixed(2)));
    await expectEventually(
      () =>
        expect(reportsOf('buy-1').some((r) => r['OrdStatus'] === '8' && r['OrdRejReason'] === 6)).toBe(true),
      10_000,
    );

    // The same order again as a retransmission (PossDupFlag=Y, an old MsgSeqNum): answered with its status.
    client.send('D', {
      ...newOrder('buy-1', '1', '0.01', (ask * 1.002).toFixed(2)),
      StandardHeader: { PossDupFlag: true, MsgSeqNum: 2, SendingTime: new Date() },
    });
    await expectEventually(
      () =>
        expect(reportsOf('buy-1').some((r) => r['ExecType'] === 'I' && r['OrdStatus'] === '2')).toBe(true),
      10_000,
    );
    expect(client.stopped).toBe(false);
  }, 60_000);

  it('a resting order is replaced (G) then canceled (F); cancelling an unknown order gets OrderCancelReject', async () => {
    const { bid } = await touch();
    const price = (bid * 0.985).toFixed(2);
    client.send('D', newOrder('rest-1', '1', '0.01', price));
    await expectEventually(() => expect(reportsOf('rest-1')[0]).toMatchObject({ ExecType: '0' }), 30_000);
    const orderId = reportsOf('rest-1')[0]!['OrderID'];

    const newPrice = (bid * 0.986).toFixed(2);
    client.send('G', {
      ClOrdID: 'rest-2',
      OrigClOrdID: 'rest-1',
      Account: 'paper-main',
      Side: '1',
      Instrument: { Symbol: 'ETH/USDT' },
      OrderQtyData: { OrderQty: '0.01' },
      OrdType: '2',
      Price: newPrice,
      TransactTime: new Date(),
    });
    await expectEventually(
      () => expect(reportsOf('rest-2').some((r) => r['ExecType'] === '5')).toBe(true),
      60_000,
    );
    expect(Number(reportsOf('rest-2').find((r) => r['ExecType'] === '5')!['Price'])).toBe(Number(newPrice));

    client.send('F', {
      ClOrdID: 'rest-3',
      OrigClOrdID: 'rest-2',
      Side: '1',
      Instrument: { Symbol: 'ETH/USDT' },
      OrderQtyData: { OrderQty: '0.01' },
      TransactTime: new Date(),
    });
    await expectEventually(
      () =>
        expect(reportsOf('rest-3').some((r) => r['ExecType'] === '4' && r['OrdStatus'] === '4')).toBe(true),
      60_000,
    );
    expect(orderId).toBeTruthy();

    client.send('F', {
      ClOrdID: 'ghost-cancel',
      OrigClOrdID: 'never-sent',
      Side: '1',
      Instrument: { Symbol: 'ETH/USDT' },
      OrderQtyData: { OrderQty: '0.01' },
      TransactTime: new Date(),
    });
    await expectEventually(
      () => expect(client.of('9').some((r) => r['ClOrdID'] === 'ghost-cancel')).toBe(true),
      10_000,
    );
  }, 200_000);

  it('an IOC limit order away from the touch is canceled unfilled; a marketable FOK fills whole', async () => {
    const { bid, ask } = await touch();
    client.send('D', { ...newOrder('ioc-1', '1', '0.01', (bid * 0.985).toFixed(2)), TimeInForce: '3' });
    await expectEventually(() => {
      const reports = reportsOf('ioc-1');
      expect(reports.at(-1)).toMatchObject({ OrdStatus: '4' });
      expect(Number(reports.at(-1)!['CumQty'])).toBe(0);
    }, 30_000);

    client.send('D', { ...newOrder('fok-1', '1', '0.01', (ask * 1.002).toFixed(2)), TimeInForce: '4' });
    await expectEventually(() => expect(reportsOf('fok-1').at(-1)).toMatchObject({ OrdStatus: '2' }), 30_000);
    expect(Number(reportsOf('fok-1').at(-1)!['CumQty'])).toBe(0.01);
  }, 60_000);

  it('exports the TestRequest round trip and order latency per client', async () => {
    console.log(
      'DEBUGM',
      (await server.metrics())
        .split('\n')
        .filter((l) => l.includes('tm_fix'))
        .slice(0, 30)
        .join('\n'),
    );
    await expectEventually(async () => {
      const metrics = await server.metrics();
      expect(metrics).toMatch(/tm_fix_test_request_rtt_seconds_count\{[^}]*client="BROKER"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/tm_fix_order_latency_seconds_count\{[^}]*client="BROKER",kind="ack"\} [1-9]/);
      expect(metrics).toMatch(/tm_fix_order_latency_seconds_count\{[^}]*client="BROKER",kind="fill"\} [1-9]/);
    }, 10_000);
    expect(client.stopped).toBe(false);
    expect(client.received.every((m) => header(m.body)['MsgSeqNum'] !== undefined)).toBe(true);
  });
});
