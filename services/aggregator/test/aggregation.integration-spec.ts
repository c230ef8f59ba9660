// The aggregation worker over a real NATS server: ticks, trades and books from several sources go in on
// their slot subjects, the worker's tick is stepped by the test, and what comes out (snapshot replies,
// closed candles and arbitrage windows in JetStream, dead letters) is checked against references
// computed here the naive way.
import {
  AggregateV1,
  ArbitrageWindowV1,
  BookResyncRequestV1,
  CandleV1,
  createBuckets,
  createStreams,
  createSubjects,
  DeadLetterV1,
  decodePayload,
  PushEventV1,
  encodePayload,
  replyEnvelope,
  type BookDeltaV1,
  type TickV1,
  type TradeV1,
} from '@tm/contracts';
import { MarketAggregator } from '@tm/aggregation';
import { SlotMembership } from '@tm/membership';
import { DeadLetterPublisher, NatsLink, provisionStream, ReliablePublisher } from '@tm/messaging';
import { lastSequenceIn, TopicSequencer, TradeEvents } from '@tm/push';
import { instrumentSlot, SLOT_COUNT } from '@tm/sharding';
import { expectEventually, NatsServerProcess, streamPayloads, uniqueSubjectRoot } from '@tm/testing';
import type { JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggregationWorker } from '../src/aggregation/aggregation-worker.js';
import { MarketEvents } from '../src/publishing/market-events.js';
import { AggregationStateStore } from '../src/state/aggregation-state-store.js';

const SECOND = 1_000_000;
const HOUR_MS = 3_600_000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('aggregation worker over real NATS', () => {
  let nats: NatsServerProcess;
  let link: NatsLink;
  let jsm: JetStreamManager;
  let worker: AggregationWorker;
  const root = uniqueSubjectRoot();
  const subjects = createSubjects(root);
  const streams = createStreams(root);
  // Whole seconds in the past, so candle boundaries are round and nothing looks stale to the worker.
  const t0 = Math.floor(Date.now() / 1_000) * SECOND;
  let sent = 0;

  const publish = (subject: string, payload: unknown) => {
    link.connection.publish(subject, typeof payload === 'string' ? payload : encodePayload(payload));
    sent += 1;
  };
  const tick = (instrument: string, source: string, bid: number, ask: number, at: number): void =>
    publish(subjects.mdTick(instrumentSlot(instrument)), {
      v: 1,
      instrument,
      source,
      bid,
      bidSize: 1,
      ask,
      askSize: 2,
      tsEvent: at,
      tsInit: at + 300,
    } satisfies TickV1);
  const book = (b: Omit<BookDeltaV1, 'v' | 'tsInit'>): void =>
    publish(subjects.mdBook(instrumentSlot(b.instrument)), { v: 1, ...b, tsInit: b.tsEvent + 200 });
  /** Waits until the worker took (or refused) everything published so far. */
  const settled = () =>
    expectEventually(() => {
      const c = worker.ingest.counters;
      expect(c.ingested + c.refused).toBe(sent);
    });
  const snapshotOf = async (instrument: string): Promise<AggregateV1> => {
    const reply = await link.connection.request(
      subjects.mdSnapshot(instrumentSlot(instrument)),
      encodePayload({ v: 1, instrument }),
      { timeout: 2_000 },
    );
    const decoded = decodePayload(replyEnvelope(AggregateV1), reply.data);
    if (!decoded.ok) throw new Error(decoded.reason);
    if (!decoded.value.ok) throw new Error(decoded.value.error.message);
    return decoded.value.result;
  };

  const newSequencer = () =>
    new TopicSequencer({
      subjects,
      publisher: new ReliablePublisher(link, { maxInFlight: 32 }),
      lastSequence: lastSequenceIn(jsm, streams.PUSH.name),
      onFailure: (error) => {
        throw error;
      },
    });
  const pushEvents = async (topicSubject: string) =>
    streamPayloads(jsm, streams.PUSH.name, topicSubject, PushEventV1);

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    link = await NatsLink.connect({
      servers: [nats.url],
      name: 'aggregation-test',
      pingIntervalMs: 2_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    jsm = await link.jetstreamManager();
    await provisionStream(jsm, streams.MD);
    await provisionStream(jsm, streams.DLQ);
    await provisionStream(jsm, streams.PUSH);
    const buckets = createBuckets(root);
    const deadLetters = new DeadLetterPublisher({
      publisher: new ReliablePublisher(link),
      subjects,
      service: 'aggregator',
      instance: 'agg-test',
    });
    worker = new AggregationWorker({
      nc: link.connection,
      marketData: link.connection,
      subjects,
      instanceId: 'agg-test',
      aggregator: new MarketAggregator({
        instruments: ['BTC/USDT', 'ETH/USDT'],
        feesBps: { okx: 10 },
        candleIntervalsMicros: [SECOND, 60 * SECOND],
      }),
      openMembership: () =>
        SlotMembership.open(link.connection, {
          bucket: buckets.AGGREGATOR_MEMBERS,
          instanceId: 'agg-test',
          // Long: the only member must not give its slots up mid-test because a loaded CI machine stalled it.
          memberTtlMs: 5_000,
        }),
      stateStore: await AggregationStateStore.open(link.connection, buckets.AGGREGATION_STATE),
      events: new MarketEvents(new ReliablePublisher(link, { maxInFlight: 32 }), subjects, () => undefined),
      trades: new TradeEvents(newSequencer()),
      refuse: (refused) => void deadLetters.send(refused),
      // The test steps time itself: the worker's own timers never fire during it.
      tickMs: HOUR_MS,
      broadcastMs: HOUR_MS,
      stateSaveMs: HOUR_MS,
      logger: silent,
    });
    await worker.start();
    await expectEventually(() => expect(worker.ownedSlotCount()).toBe(SLOT_COUNT), 10_000);
    // The membership calls the slots ours a moment before the worker has loaded their saved state and
    // opened its ingest to them (longer on a loaded machine): nothing is published before that.
    await expectEventually(() => {
      for (const instrument of ['BTC/USDT', 'ETH/USDT'])
        expect(worker.ingests(instrumentSlot(instrument))).toBe(true);
    }, 20_000);
  });

  afterAll(async () => {
    await worker?.stop();
    await link?.close();
    await nats?.dispose();
  });

  it('merges the sources into one consolidated book, each level knowing its sources', async () => {
    const at = t0 + 10_000;
    book({
      instrument: 'BTC/USDT',
      source: 'binance',
      snapshot: true,
      sequence: 1,
      tsEvent: at,
      bids: [
        [100, 1],
        [99, 2],
      ],
      asks: [
        [101, 1],
        [102, 3],
      ],
    });
    book({
      instrument: 'BTC/USDT',
      source: 'okx',
      snapshot: true,
      sequence: 7,
      tsEvent: at,
      bids: [
        [100, 0.5],
        [98, 1],
      ],
      asks: [
        [101.5, 2],
        [103, 1],
      ],
    });
    // A delta removes binance's 99 bid and 101 ask and adds 101.5.
    book({
      instrument: 'BTC/USDT',
      source: 'binance',
      snapshot: false,
      sequence: 2,
      tsEvent: at + 1,
      bids: [[99, 0]],
      asks: [
        [101, 0],
        [101.5, 4],
      ],
    });
    // A source with ticks only (a FIX LP) contributes its top of book.
    tick('BTC/USDT', 'fix:lp1', 99.5, 102, at);
    await settled();
    worker.tick(at + 100_000);
    const s = await snapshotOf('BTC/USDT');
    expect(s.book.bids).toEqual([
      {
        price: 100,
        size: 1.5,
        sources: [
          { source: 'binance', size: 1 },
          { source: 'okx', size: 0.5 },
        ],
      },
      { price: 99.5, size: 1, sources: [{ source: 'fix:lp1', size: 1 }] },
      { price: 98, size: 1, sources: [{ source: 'okx', size: 1 }] },
    ]);
    expect(s.book.asks).toEqual([
      {
        price: 101.5,
        size: 6,
        sources: [
          { source: 'binance', size: 4 },
          { source: 'okx', size: 2 },
        ],
      },
      {
        price: 102,
        size: 5,
        sources: [
          { source: 'binance', size: 3 },
          { source: 'fix:lp1', size: 2 },
        ],
      },
      { price: 103, size: 1, sources: [{ source: 'okx', size: 1 }] },
    ]);
    expect(s.bestBid).toEqual({ price: 100, size: 1.5, source: 'binance' });
    expect(s.sources.map((x) => [x.source, x.book])).toEqual([
      ['binance', 'trusted'],
      ['fix:lp1', 'none'],
      ['okx', 'trusted'],
    ]);
  });

  it('counts tick rates per source and compares every pair of feeds', async () => {
    const at = t0 + 200_000;
    // 20 binance ticks and 5 okx ticks inside the 10 s rate window; okx's mid is 2 above binance's.
    for (let i = 0; i < 20; i++) tick('ETH/USDT', 'binance', 2_000, 2_002, at + i * 1_000);
    for (let i = 0; i < 5; i++) tick('ETH/USDT', 'okx', 2_002, 2_004, at + i * 1_000);
    await settled();
    worker.tick(at + 300_000);
    const s = await snapshotOf('ETH/USDT');
    const rate = Object.fromEntries(s.sources.map((x) => [x.source, x.ticksPerSec]));
    expect(rate).toEqual({ binance: 20 / 10, okx: 5 / 10 });
    expect(s.sources.every((x) => x.receiveLatencyMicros === 300)).toBe(true);
    expect(s.comparisons).toEqual([
      {
        sourceA: 'binance',
        sourceB: 'okx',
        midDelta: -2,
        emaFast: -2,
        emaSlow: -2,
        receiveLatencyDiffMicros: 0,
      },
    ]);
  });

  it('closes 1 s candles that match a naive OHLCV of the same trades, into JetStream', async () => {
    const base = t0 + 2 * SECOND;
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const trades: TradeV1[] = [];
    for (let i = 0; i < 300; i++) {
      trades.push({
        v: 1,
        instrument: 'ETH/USDT',
        source: i % 3 === 0 ? 'okx' : 'binance',
        tradeId: `t${i}`,
        price: Math.round((2_000 + random() * 20) * 100) / 100,
        amount: Math.round(random() * 1_000) / 1_000 + 0.001,
        takerSide: 'buy',
        tsEvent: base + Math.floor((i / 300) * 3 * SECOND),
        tsInit: base + 1,
      });
    }
    for (const t of trades) publish(subjects.mdTrade(instrumentSlot(t.instrument)), t);
    await settled();
    worker.tick(base + 4 * SECOND); // every 1 s candle of the three seconds has ended
    const reference = new Map<number, CandleV1>();
    for (const t of [...trades].sort((a, b) => a.tsEvent - b.tsEvent)) {
      const start = t.tsEvent - (t.tsEvent % SECOND);
      const c = reference.get(start);
      if (c === undefined) {
        reference.set(start, {
          v: 1,
          instrument: 'ETH/USDT',
          intervalMicros: SECOND,
          start,
          open: t.price,
          high: t.price,
          low: t.price,
          close: t.price,
          volume: t.amount,
          trades: 1,
        });
      } else {
        Object.assign(c, {
          high: Math.max(c.high, t.price),
          low: Math.min(c.low, t.price),
          close: t.price,
          volume: c.volume + t.amount,
          trades: c.trades + 1,
        });
      }
    }
    await expectEventually(async () => {
      const candles = await streamPayloads(jsm, streams.MD.name, `${root}.md.candle.`, CandleV1);
      const seconds = candles.filter((c) => c.instrument === 'ETH/USDT' && c.intervalMicros === SECOND);
      expect(seconds.map((c) => c.start)).toEqual([...reference.keys()]);
      for (const c of seconds) {
        const r = reference.get(c.start) as CandleV1;
        expect({ ...c, volume: 0 }).toEqual({ ...r, volume: 0 });
        expect(c.volume).toBeCloseTo(r.volume, 9);
      }
    });
  });

  it('numbers each trade in its source topic and the consolidated one (stream PUSH), and a new owner numbers on', async () => {
    const slot = instrumentSlot('BTC/USDT');
    const at = t0 + 9 * SECOND;
    const ids = Array.from({ length: 30 }, (_, i) => `kr${i}`);
    ids.forEach((tradeId, i) =>
      publish(subjects.mdTrade(slot), {
        v: 1,
        instrument: 'BTC/USDT',
        source: 'kraken',
        tradeId,
        price: 100 + i,
        amount: 1,
        takerSide: 'sell',
        tsEvent: at + i,
        tsInit: at + i + 1,
      } satisfies TradeV1),
    );
    await settled();
    const own = `${root}.push.trades.${slot}.kraken.BTC/USDT`;
    const consolidated = `${root}.push.trades.${slot}.~.BTC/USDT`;
    await expectEventually(async () => {
      const events = await pushEvents(own);
      expect(events.map((e) => [e.topic, e.seq, (e.value as { tradeId: string }).tradeId])).toEqual(
        ids.map((id, i) => ['trades/kraken/BTC/USDT', i + 1, id]),
      );
    });
    const all = await pushEvents(consolidated);
    const last = all.at(-1)?.seq ?? 0;
    expect(all.every((e, i) => e.seq === last - all.length + 1 + i)).toBe(true);
    expect(all.slice(-30).map((e) => (e.value as { tradeId: string }).tradeId)).toEqual(ids);

    // Another instance taking the slot over starts from what the stream holds, not from 1.
    const next = newSequencer();
    next.append({ stream: 'trades', source: '*', key: 'BTC/USDT' }, slot, { tradeId: 'after-handover' });
    await expectEventually(async () =>
      expect((await pushEvents(consolidated)).at(-1)).toMatchObject({
        seq: last + 1,
        value: { tradeId: 'after-handover' },
      }),
    );
  });

  it('opens an arbitrage window when one source bids above another asks after fees, and closes it', async () => {
    const at = t0 + 6 * SECOND;
    // okx asks 2000 (+10 bps fee = 2002); binance bids 2010: an edge of about 40 bps.
    tick('ETH/USDT', 'okx', 1_990, 2_000, at);
    tick('ETH/USDT', 'binance', 2_010, 2_011, at);
    await settled();
    worker.tick(at + 100_000);
    expect((await snapshotOf('ETH/USDT')).arbitrage).toMatchObject([
      { buySource: 'okx', sellSource: 'binance' },
    ]);
    // After fees 2001 * 1.001 > 2002: the cross is gone.
    tick('ETH/USDT', 'binance', 2_001, 2_003, at + 150_000);
    await settled();
    worker.tick(at + 200_000);
    const edge = (2_010 / (2_000 * 1.001) - 1) * 10_000;
    await expectEventually(async () => {
      const windows = await streamPayloads(jsm, streams.MD.name, `${root}.md.arb.`, ArbitrageWindowV1);
      expect(windows).toHaveLength(1);
      expect(windows[0]).toMatchObject({
        instrument: 'ETH/USDT',
        buySource: 'okx',
        sellSource: 'binance',
        openedAt: at + 100_000,
        closedAt: at + 200_000,
        durationMicros: 100_000,
      });
      expect(windows[0]?.bestEdgeBps).toBeCloseTo(edge, 6);
    });
  });

  it('dead-letters bad input with its reason, counts it per source, and keeps the book of the good sources', async () => {
    const at = t0 + 7 * SECOND;
    const before = await snapshotOf('BTC/USDT');
    const slot = instrumentSlot('BTC/USDT');
    tick('BTC/USDT', 'bad', 101, 100, at); // crossed own book
    publish(subjects.mdTick(slot), {
      v: 1,
      instrument: 'BTC/USDT',
      source: 'bad',
      bid: 100,
      bidSize: -1,
      ask: 101,
      askSize: 1,
      tsEvent: at,
      tsInit: at,
    });
    publish(
      subjects.mdTick(slot),
      `{"v":1,"instrument":"BTC/USDT","source":"bad","bid":null,"bidSize":1,"ask":101,"askSize":1,"tsEvent":${at},"tsInit":${at}}`,
    );
    tick('BTC/USDT', 'bad', 99, 100, t0 - 60 * SECOND); // stale
    publish(subjects.mdTick(instrumentSlot('DOGE/USDT')), {
      v: 1,
      instrument: 'DOGE/USDT',
      source: 'bad',
      bid: 1,
      bidSize: 1,
      ask: 2,
      askSize: 1,
      tsEvent: at,
      tsInit: at,
    }); // not an allowed instrument
    publish(subjects.mdTick(slot === 1 ? 2 : slot - 1), {
      v: 1,
      instrument: 'BTC/USDT',
      source: 'bad',
      bid: 1,
      bidSize: 1,
      ask: 2,
      askSize: 1,
      tsEvent: at,
      tsInit: at,
    }); // on another slot's subject
    publish(subjects.mdTick(slot), 'not json');
    // A crossing book snapshot from binance is refused and binance's book waits for a new snapshot.
    book({
      instrument: 'BTC/USDT',
      source: 'binance',
      snapshot: true,
      sequence: 3,
      tsEvent: at,
      bids: [[105, 1]],
      asks: [[104, 1]],
    });
    await settled();
    worker.tick(at + 100_000);

    const reasons = [
      'crossed_book: bid',
      'negative_value: bidSize',
      'invalid_payload',
      'stale_timestamp: tsEvent',
      'unknown_instrument: instrument',
      'wrong_slot',
      'invalid_payload: payload is not JSON',
      'crossed_book: bids',
    ];
    await expectEventually(async () => {
      const letters = await streamPayloads(jsm, streams.DLQ.name, `${root}.dlq.aggregator`, DeadLetterV1);
      expect(letters).toHaveLength(reasons.length);
      letters.forEach((letter, i) => expect(letter.reason).toContain(reasons[i]));
      expect(letters[2]?.reason).toContain('bid');
      expect(Buffer.from(letters[6]?.payloadBase64 ?? '', 'base64').toString()).toBe('not json');
    });
    expect(worker.rejections()['bad']).toEqual({
      crossed_book: 1,
      negative_value: 1,
      stale_timestamp: 1,
      unknown_instrument: 1,
    });
    expect(worker.ingest.refusals()).toEqual({
      '(unknown)': { invalid_payload: 1 },
      bad: { invalid_payload: 1, wrong_slot: 1 },
    });
    const after = await snapshotOf('BTC/USDT');
    expect(after.sources.map((x) => x.source)).toEqual(['binance', 'fix:lp1', 'okx']);
    // binance's book is out until its next snapshot; okx's and the LP's levels are untouched.
    expect(after.sources.find((x) => x.source === 'binance')?.book).toBe('awaiting_snapshot');
    expect(after.book.bids).toEqual(
      before.book.bids
        .map((l) => ({ ...l, sources: l.sources.filter((x) => x.source !== 'binance') }))
        .filter((l) => l.sources.length > 0)
        .map((l) => ({ ...l, size: l.sources.reduce((sum, x) => sum + x.size, 0) })),
    );
  });

  it('asks the source for a book it cannot trust, without dead-lettering the deltas, and trusts the next snapshot', async () => {
    const at = t0 + 8 * SECOND;
    const requests: BookResyncRequestV1[] = [];
    const subscription = link.connection.subscribe(subjects.all.mdResync(), {
      callback: (_error, msg) => {
        const decoded = decodePayload(BookResyncRequestV1, msg.data);
        if (decoded.ok) requests.push(decoded.value);
      },
    });
    await link.connection.flush();
    const letters = async () =>
      (await streamPayloads(jsm, streams.DLQ.name, `${root}.dlq.`, DeadLetterV1)).length;
    const lettersBefore = await letters();
    // binance's book was dropped when its snapshot crossed: its deltas wait for a new snapshot.
    for (const sequence of [4, 5])
      book({
        instrument: 'BTC/USDT',
        source: 'binance',
        snapshot: false,
        sequence,
        tsEvent: at,
        bids: [[100, 2]],
        asks: [],
      });
    await settled();
    // Asked once for the two deltas (at most once a second per book).
    await expectEventually(() =>
      expect(requests).toEqual([{ v: 1, instrument: 'BTC/USDT', source: 'binance' }]),
    );
    book({
      instrument: 'BTC/USDT',
      source: 'binance',
      snapshot: true,
      sequence: 6,
      tsEvent: at + 1,
      bids: [[100, 3]],
      asks: [[101, 1]],
    });
    await settled();
    worker.tick(at + 100_000);
    const s = await snapshotOf('BTC/USDT');
    expect(s.sources.find((x) => x.source === 'binance')?.book).toBe('trusted');
    expect(s.book.bids[0]?.sources).toContainEqual({ source: 'binance', size: 3 });
    expect(await letters()).toBe(lettersBefore);
    expect(worker.rejections()['binance']).toMatchObject({ book_awaiting_snapshot: 2 });
    subscription.unsubscribe();
  });

  it('answers a snapshot request for an instrument on another slot with the slot to ask', async () => {
    const reply = await link.connection.request(
      subjects.mdSnapshot(1),
      encodePayload({ v: 1, instrument: 'BTC/USDT' }),
    );
    const decoded = decodePayload(replyEnvelope(AggregateV1), reply.data);
    expect(decoded.ok && !decoded.value.ok && decoded.value.error.code).toBe('INVALID_PAYLOAD');
  });
});
