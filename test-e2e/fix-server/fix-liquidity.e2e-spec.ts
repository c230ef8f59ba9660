// A liquidity provider's FIX feed beside the paper venue: fix-server as built logs on to the LP (a FIX
// acceptor of @tm/testing), and the aggregator builds one depth-of-market from both sources.
import { AggregateV1, decodePayload, encodePayload, replyEnvelope, type ReplyEnvelope } from '@tm/contracts';
import { instrumentSlot } from '@tm/sharding';
import { expectEventually, FixLiquidityProvider, freePort } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FlowTestBed } from '../flow-engine/flow-test-bed.js';
import { FixServerProcess } from './fix-server-process.js';

const BTC = 'BTC/USDT';
const AGGREGATE_REPLY = replyEnvelope(AggregateV1);

describe('fix-server liquidity providers into the aggregator', () => {
  let bed: FlowTestBed;
  let server: FixServerProcess | undefined;
  let lp: FixLiquidityProvider | undefined;

  async function aggregate(): Promise<AggregateV1> {
    const reply = await bed.link.connection.request(
      bed.subjects.mdSnapshot(instrumentSlot(BTC)),
      encodePayload({ v: 1, instrument: BTC }),
      { timeout: 2_000 },
    );
    const decoded = decodePayload(AGGREGATE_REPLY, reply.data);
    if (!decoded.ok) throw new Error(decoded.reason);
    const envelope = decoded.value as ReplyEnvelope<AggregateV1>;
    if (!envelope.ok) throw new Error(JSON.stringify(envelope.error));
    return envelope.result;
  }

  beforeAll(async () => {
    bed = await FlowTestBed.open(inject('natsUrl'), inject('databaseUrl'));
    await bed.startMarket();
  }, 120_000);

  afterAll(async () => {
    await server?.process.dispose();
    lp?.close();
    await bed?.close();
  });

  it('publishes the LP book as source fix:lp1, consolidated with the paper venue level by level', async () => {
    const paper = await aggregate();
    const bid = paper.bestBid!.price;
    const ask = paper.bestAsk!.price;
    // The LP quotes one level just outside the paper touch on each side, with sizes no one else has.
    const lpBid = Math.floor(bid) - 1;
    const lpAsk = Math.ceil(ask) + 1;
    const port = await freePort();
    lp = new FixLiquidityProvider(port, new Map([[BTC, { bids: [[lpBid, 7.25]], asks: [[lpAsk, 3.5]] }]]));
    await lp.listen();
    server = await FixServerProcess.start(
      {
        natsUrl: bed.natsUrl,
        databaseUrl: bed.database.url,
        root: bed.root,
        extra: {
          TM_FIX_LIQUIDITY_PROVIDERS: JSON.stringify([
            {
              name: 'lp1',
              host: '127.0.0.1',
              port,
              senderCompId: 'TM',
              targetCompId: 'LP1',
              instruments: [BTC],
              depth: 5,
            },
          ]),
        },
      },
      await FixServerProcess.freePorts(),
    );

    await expectEventually(async () => {
      const consolidated = await aggregate();
      expect(consolidated.sources.map((s) => s.source)).toEqual(expect.arrayContaining(['fix:lp1', 'paper']));
      const lpSource = consolidated.sources.find((s) => s.source === 'fix:lp1')!;
      expect(lpSource).toMatchObject({ bid: lpBid, bidSize: 7.25, ask: lpAsk, askSize: 3.5 });
      const level = consolidated.book.bids.find((l) => l.price === lpBid);
      expect(level?.sources).toContainEqual({ source: 'fix:lp1', size: 7.25 });
      expect(consolidated.book.bids.some((l) => l.sources.some((s) => s.source === 'paper'))).toBe(true);
    }, 30_000);
    expect(await server.metrics()).toMatch(/tm_fix_lp_logged_on\{[^}]*lp="lp1"[^}]*\} 1/);

    // An X from the LP moves its level in the consolidated book.
    lp.update([
      {
        MDUpdateAction: '1',
        MDEntryType: '0',
        MDEntryPx: lpBid,
        MDEntrySize: 9.5,
        Instrument: { Symbol: BTC },
      },
    ]);
    await expectEventually(async () => {
      const level = (await aggregate()).book.bids.find((l) => l.price === lpBid);
      expect(level?.sources).toContainEqual({ source: 'fix:lp1', size: 9.5 });
    }, 30_000);
  }, 120_000);
});
