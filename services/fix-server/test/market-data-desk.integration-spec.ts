// The market-data desk over a real NATS server, with the test standing in for the aggregator: it answers
// `mdSnapshot` from its current book and publishes AggregateV1s on `mdAgg`, and fake FIX sessions record what
// the desk sends them.
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  AggregateSnapshotRequestV1,
  createSubjects,
  decodePayload,
  encodePayload,
  type AggregateV1,
  type ReplyEnvelope,
} from '@tm/contracts';
import type { DeadLetterInput } from '@tm/messaging';
import { instrumentSlot } from '@tm/sharding';
import { expectEventually, uniqueSubjectRoot } from '@tm/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { MarketDataDesk, type MarketDataSession } from '../src/market-data/market-data-desk.js';

const BTC = 'BTC/USDT';
const ETH = 'ETH/USDT';

interface Sent {
  msgType: string;
  obj: Record<string, unknown>;
}

class RecordingSession implements MarketDataSession {
  readonly sent: Sent[] = [];
  constructor(
    readonly key: string,
    readonly maxSubscriptions = 10,
  ) {}
  send(msgType: string, obj: object): void {
    this.sent.push({ msgType, obj: obj as Record<string, unknown> });
  }
  of(msgType: string): Record<string, unknown>[] {
    return this.sent.filter((s) => s.msgType === msgType).map((s) => s.obj);
  }
}

type Level = [price: number, size: number];
let clock = 1_000;

function aggregate(instrument: string, bids: Level[], asks: Level[]): AggregateV1 {
  const level = ([price, size]: Level) => ({ price, size, sources: [{ source: 'binance', size }] });
  clock += 1_000;
  return {
    v: 1,
    instrument,
    tsInit: clock,
    sources: [],
    book: { bids: bids.map(level), asks: asks.map(level) },
    bestBid: null,
    bestAsk: null,
    lastTrade: null,
    vwap: { candle: null, candleIntervalMicros: 60_000_000, session: null },
    candles: [],
    comparisons: [],
    arbitrage: [],
  };
}

function v(mdReqId: string, type: '0' | '1' | '2', symbols: string[], extra: Record<string, unknown> = {}) {
  return {
    MDReqID: mdReqId,
    SubscriptionRequestType: type,
    MarketDepth: 0,
    MDUpdateType: 1,
    MDReqGrp: [{ MDEntryType: '0' }, { MDEntryType: '1' }],
    InstrmtMDReqGrp: symbols.map((Symbol) => ({ Instrument: { Symbol } })),
    ...extra,
  };
}

describe('MarketDataDesk over real NATS', () => {
  const subjects = createSubjects(uniqueSubjectRoot());
  let deskNc: NatsConnection;
  let aggregatorNc: NatsConnection;
  let responder: Subscription;
  let desk: MarketDataDesk;
  let deadLetters: DeadLetterInput[];
  /** What the stand-in aggregator knows: one book per instrument; anything else is NOT_FOUND. */
  const books = new Map<string, AggregateV1>();
  /** Published on `mdAgg` just before the snapshot reply: a live update that overtakes the snapshot. */
  const overtaking = new Map<string, AggregateV1>();

  const publish = (agg: AggregateV1) => {
    books.set(agg.instrument, agg);
    aggregatorNc.publish(subjects.mdAgg(instrumentSlot(agg.instrument)), encodePayload(agg));
  };

  beforeAll(async () => {
    deskNc = await connect({ servers: inject('natsUrl'), name: 'fix-server-test/market-data-desk' });
    aggregatorNc = await connect({ servers: inject('natsUrl'), name: 'fix-server-test/aggregator-stand-in' });
    responder = aggregatorNc.subscribe(subjects.all.mdSnapshot(), {
      callback: (error, msg) => {
        if (error !== null) return;
        const request = decodePayload(AggregateSnapshotRequestV1, msg.data);
        const book = request.ok ? books.get(request.value.instrument) : undefined;
        const ahead = request.ok ? overtaking.get(request.value.instrument) : undefined;
        if (ahead !== undefined)
          aggregatorNc.publish(subjects.mdAgg(instrumentSlot(ahead.instrument)), encodePayload(ahead));
        const reply: ReplyEnvelope<AggregateV1> =
          book === undefined
            ? { v: 1, ok: false, error: { code: 'NOT_FOUND', message: 'no market data yet' } }
            : { v: 1, ok: true, result: book };
        msg.respond(encodePayload(reply));
      },
    });
    await aggregatorNc.flush();
  });

  afterAll(async () => {
    responder.unsubscribe();
    await aggregatorNc.close();
    await deskNc.close();
  });

  beforeEach(() => {
    books.clear();
    overtaking.clear();
    deadLetters = [];
    desk = new MarketDataDesk({
      nc: deskNc,
      subjects,
      snapshotTimeoutMs: 2_000,
      deadLetters: { send: async (input) => void deadLetters.push(input) },
    });
  });

  afterEach(() => desk.close());

  it('answers a snapshot request with one W and no subscription', async () => {
    books.set(BTC, aggregate(BTC, [[100, 1]], [[101, 2]]));
    const session = new RecordingSession('snap');
    await desk.request(session, v('s-1', '0', [BTC]));
    expect(session.sent).toEqual([
      {
        msgType: 'W',
        obj: {
          MDReqID: 's-1',
          Instrument: { Symbol: BTC },
          MDFullGrp: [
            { MDEntryType: '0', MDEntryPx: '100', MDEntrySize: '1', MDEntryPositionNo: 1 },
            { MDEntryType: '1', MDEntryPx: '101', MDEntrySize: '2', MDEntryPositionNo: 1 },
          ],
        },
      },
    ]);
    expect(desk.slotSubscriptions).toBe(0);
    expect(desk.counters).toMatchObject({ snapshots: 1, incrementals: 0, rejects: 0 });
  });

  it('subscribes: W first, then X as the book moves', async () => {
    books.set(BTC, aggregate(BTC, [[100, 1]], [[101, 2]]));
    const session = new RecordingSession('inc');
    await desk.request(session, v('sub-1', '1', [BTC]));
    expect(session.sent.map((s) => s.msgType)).toEqual(['W']);

    publish(aggregate(BTC, [[100, 3]], [[100.5, 1]]));
    const [x] = await expectEventually(() => {
      const xs = session.of('X');
      expect(xs).toHaveLength(1);
      return xs;
    });
    expect(x).toEqual({
      MDReqID: 'sub-1',
      MDIncGrp: [
        {
          MDUpdateAction: '1',
          MDEntryType: '0',
          Instrument: { Symbol: BTC },
          MDEntryPx: '100',
          MDEntrySize: '3',
          MDEntryPositionNo: 1,
        },
        { MDUpdateAction: '2', MDEntryType: '1', Instrument: { Symbol: BTC }, MDEntryPx: '101' },
        {
          MDUpdateAction: '0',
          MDEntryType: '1',
          Instrument: { Symbol: BTC },
          MDEntryPx: '100.5',
          MDEntrySize: '1',
          MDEntryPositionNo: 1,
        },
      ],
    });
  });

  it('sends a full W on change when MDUpdateType is full refresh, and nothing for an unchanged book', async () => {
    books.set(BTC, aggregate(BTC, [[100, 1]], [[101, 2]]));
    const session = new RecordingSession('full');
    await desk.request(session, v('full-1', '1', [BTC], { MDUpdateType: 0 }));
    publish(aggregate(BTC, [[100, 1]], [[101, 2]]));
    publish(aggregate(BTC, [[99, 1]], [[101, 2]]));
    await expectEventually(() =>
      expect(session.of('W').at(-1)).toMatchObject({
        MDFullGrp: [
          { MDEntryType: '0', MDEntryPx: '99' },
          { MDEntryType: '1', MDEntryPx: '101' },
        ],
      }),
    );
    expect(session.of('W')).toHaveLength(2);
    expect(session.of('X')).toEqual([]);
  });

  it('never takes a client back in time: an older aggregate is skipped', async () => {
    const older = aggregate(BTC, [[90, 1]], [[91, 1]]);
    books.set(BTC, aggregate(BTC, [[100, 1]], [[101, 1]]));
    const session = new RecordingSession('ordered');
    await desk.request(session, v('o', '1', [BTC]));
    publish(older);
    publish(aggregate(BTC, [[100, 1]], [[101, 7]]));
    await expectEventually(() => expect(session.of('X')).toHaveLength(1));
    expect(session.of('X')[0]).toMatchObject({
      MDIncGrp: [{ MDUpdateAction: '1', MDEntryPx: '101', MDEntrySize: '7' }],
    });
  });

  it('starts from a live aggregate that overtook the snapshot reply', async () => {
    books.set(BTC, aggregate(BTC, [[100, 1]], [[101, 1]]));
    overtaking.set(BTC, aggregate(BTC, [[100.5, 1]], [[101, 1]]));
    const session = new RecordingSession('overtaken');
    await desk.request(session, v('t', '1', [BTC]));
    expect(session.sent).toHaveLength(1);
    expect(session.of('W')[0]).toMatchObject({ MDFullGrp: [{ MDEntryPx: '100.5' }, { MDEntryPx: '101' }] });
  });

  it('refuses an unknown symbol with Y reason 0 and keeps no subscription', async () => {
    const session = new RecordingSession('unknown');
    await desk.request(session, v('u-1', '1', ['XYZ/USDT']));
    expect(session.sent).toEqual([
      {
        msgType: 'Y',
        obj: { MDReqID: 'u-1', MDReqRejReason: '0', Text: 'unknown symbol XYZ/USDT: no market data yet' },
      },
    ]);
    expect(desk.slotSubscriptions).toBe(0);
  });

  it('refuses with Y reason 0 when no aggregator answers', async () => {
    const lonely = new MarketDataDesk({
      nc: deskNc,
      subjects: createSubjects(uniqueSubjectRoot()),
      snapshotTimeoutMs: 2_000,
    });
    const session = new RecordingSession('lonely');
    await lonely.request(session, v('l-1', '0', [BTC]));
    expect(session.of('Y')).toEqual([
      {
        MDReqID: 'l-1',
        MDReqRejReason: '0',
        Text: `no market data for ${BTC}: no aggregator answered, try again shortly`,
      },
    ]);
    lonely.close();
  });

  it('refuses an invalid request with the reason of its field', async () => {
    const session = new RecordingSession('invalid');
    await desk.request(session, v('bad-1', '1', [BTC], { MarketDepth: -2 }));
    expect(session.of('Y')).toEqual([expect.objectContaining({ MDReqID: 'bad-1', MDReqRejReason: '5' })]);
  });

  it('enforces the session limit (Y reason 2) and refuses a duplicate MDReqID (Y reason 1)', async () => {
    books.set(BTC, aggregate(BTC, [[100, 1]], []));
    books.set(ETH, aggregate(ETH, [[10, 1]], []));
    const session = new RecordingSession('limited', 1);
    await desk.request(session, v('a', '1', [BTC]));
    await desk.request(session, v('b', '1', [ETH]));
    await desk.request(session, v('a', '1', [ETH]));
    expect(session.sent.map((s) => [s.msgType, s.obj.MDReqID, s.obj.MDReqRejReason])).toEqual([
      ['W', 'a', undefined],
      ['Y', 'b', '2'],
      ['Y', 'a', '1'],
    ]);
    // The limit counts what is subscribed now: after an unsubscribe there is room again.
    await desk.request(session, v('a', '2', []));
    await desk.request(session, v('b', '1', [ETH]));
    expect(session.sent.at(-1)).toMatchObject({
      msgType: 'W',
      obj: { MDReqID: 'b', Instrument: { Symbol: ETH } },
    });
  });

  it('stops updates on unsubscribe, and refuses an unsubscribe of an unknown MDReqID', async () => {
    books.set(BTC, aggregate(BTC, [[100, 1]], [[101, 1]]));
    const leaving = new RecordingSession('leaving');
    const staying = new RecordingSession('staying');
    await desk.request(leaving, v('l', '1', [BTC]));
    await desk.request(staying, v('s', '1', [BTC]));
    await desk.request(leaving, v('l', '2', []));
    await desk.request(leaving, v('nope', '2', []));
    expect(leaving.of('Y')).toEqual([{ MDReqID: 'nope', Text: 'no active subscription with MDReqID nope' }]);

    publish(aggregate(BTC, [[100, 2]], [[101, 1]]));
    // Both sessions hear the same NATS message in the same callback: once `staying` has its X, `leaving` would have too.
    await expectEventually(() => expect(staying.of('X')).toHaveLength(1));
    expect(leaving.of('X')).toEqual([]);
    expect(leaving.of('W')).toHaveLength(1);
  });

  it('shares one NATS subscription per slot across sessions, dropped with the last subscriber', async () => {
    books.set(BTC, aggregate(BTC, [[100, 1]], [[101, 1]]));
    const a = new RecordingSession('a');
    const b = new RecordingSession('b');
    await desk.request(a, v('a-1', '1', [BTC]));
    await desk.request(b, v('b-1', '1', [BTC]));
    await desk.request(b, v('b-2', '1', [BTC], { MarketDepth: 1 }));
    expect(desk.slotSubscriptions).toBe(1);

    publish(aggregate(BTC, [[100, 1]], [[101, 5]]));
    await expectEventually(() => {
      expect(a.of('X')).toHaveLength(1);
      expect(b.of('X')).toHaveLength(2);
    });

    desk.closeSession('a');
    expect(desk.slotSubscriptions).toBe(1);
    desk.closeSession('b');
    expect(desk.slotSubscriptions).toBe(0);
  });

  it('filters a shared slot by instrument and dead-letters a malformed aggregate', async () => {
    books.set(BTC, aggregate(BTC, [[100, 1]], [[101, 1]]));
    const session = new RecordingSession('filter');
    await desk.request(session, v('f', '1', [BTC]));
    const slot = subjects.mdAgg(instrumentSlot(BTC));
    aggregatorNc.publish(slot, encodePayload({ v: 1, instrument: BTC, book: 'not a book' }));
    // Another instrument on BTC's slot subject (as if it hashed there): not this subscription's business.
    aggregatorNc.publish(slot, encodePayload(aggregate(ETH, [[1, 1]], [[2, 1]])));
    publish(aggregate(BTC, [[100, 1]], [[101, 2]]));
    await expectEventually(() => expect(session.of('X')).toHaveLength(1));
    expect(session.of('X')[0]).toMatchObject({
      MDIncGrp: [{ Instrument: { Symbol: BTC }, MDEntryPx: '101' }],
    });
    expect(desk.counters.refused).toBe(1);
    expect(deadLetters).toEqual([
      expect.objectContaining({ subject: slot, reason: expect.stringMatching(/book/) }),
    ]);
  });
});
