// Two aggregator instances, as built, sharing the slots through NATS (issue: "With two instances running,
// killing one moves its slots within 5 s and the survivor keeps publishing for every instrument; no
// instrument is published by two instances at once"). A crash (SIGKILL) and a deploy (SIGTERM).
import { AggregationStateV1 } from '@tm/aggregation';
import {
  AggregateV1,
  createBuckets,
  createSubjects,
  decodePayload,
  encodePayload,
  nowMicros,
  type Subjects,
  type TickV1,
  type TradeV1,
} from '@tm/contracts';
import { NatsLink, RequestClient } from '@tm/messaging';
import { instrumentSlot, ownerOfSlot } from '@tm/sharding';
import { expectEventually, freePort, NatsServerProcess, uniqueSubjectRoot } from '@tm/testing';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ServiceProcess } from '../fleet/service-process.js';

const SURVIVOR = 'agg-a';
const LEAVER = 'agg-b';
const INSTANCES = [SURVIVOR, LEAVER];
/** The header the aggregator names the publishing instance in (the service's PUBLISHER_HEADER). */
const PUBLISHER_HEADER = 'tm-instance';
const INSTRUMENTS_PER_INSTANCE = 30;
const SOURCES = ['binance', 'kraken', 'okx'];
const FEED_MS = 50;
/** One trade per instrument every 10 feed rounds (500 ms), from the sources in turn. */
const TRADE_EVERY_ROUNDS = 10;
// Trades are at one price before the handover and another after it: a moved instrument whose state was
// imported has a session VWAP strictly between the two, while a blank restart shows only the second
// (or null). Unlike a candle's trade count, this cannot be fooled by a candle closing mid-test.
const PRICE_BEFORE = 100;
const PRICE_AFTER = 200;
/** The bound, from the signal to the survivor's first aggregate of each moved instrument. */
const HANDOVER_BOUND_MS = 5_000;
/** Aggregates each instrument must get from the survivor once all moved: it keeps publishing. */
const AGGREGATES_AFTER_MOVE = 4;

/**
 * Instruments picked so each instance owns INSTRUMENTS_PER_INSTANCE of them when both are live: the
 * rendezvous hashing of @tm/sharding is what every instance computes, so the test knows the split.
 */
function pickInstruments(): Map<string, string> {
  const ownerOf = new Map<string, string>();
  const count = new Map(INSTANCES.map((id) => [id, 0]));
  for (let n = 1; [...count.values()].some((c) => c < INSTRUMENTS_PER_INSTANCE); n++) {
    const instrument = `I${String(n).padStart(4, '0')}/USDT`;
    const owner = ownerOfSlot(instrumentSlot(instrument), INSTANCES);
    if (count.get(owner)! >= INSTRUMENTS_PER_INSTANCE) continue;
    count.set(owner, count.get(owner)! + 1);
    ownerOf.set(instrument, owner);
  }
  return ownerOf;
}

/** Ticks from every source for every instrument each FEED_MS, and a trade now and then, like the venue connectors. */
class MarketFeed {
  /** The price quotes and trades are made around; switched at the handover (see PRICE_BEFORE). */
  price = PRICE_BEFORE;
  private round = 0;
  private tradeSeq = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly instruments: readonly string[],
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.publishRound(), FEED_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private publishRound(): void {
    this.round += 1;
    const now = nowMicros();
    for (const instrument of this.instruments) {
      const slot = instrumentSlot(instrument);
      SOURCES.forEach((source, i) => {
        const mid = this.price + i * 0.01;
        const tick: TickV1 = {
          v: 1,
          instrument,
          source,
          bid: mid - 0.05,
          bidSize: 1 + i,
          ask: mid + 0.05,
          askSize: 2 + i,
          tsEvent: now - 1_000,
          tsInit: now,
        };
        this.nc.publish(this.subjects.mdTick(slot), encodePayload(tick));
      });
      if (this.round % TRADE_EVERY_ROUNDS === 0) {
        const trade: TradeV1 = {
          v: 1,
          instrument,
          source: SOURCES[(this.round / TRADE_EVERY_ROUNDS) % SOURCES.length]!,
          tradeId: `e2e-${++this.tradeSeq}`,
          price: this.price,
          amount: 1,
          takerSide: 'buy',
          tsEvent: now - 1_000,
          tsInit: now,
        };
        this.nc.publish(this.subjects.mdTrade(slot), encodePayload(trade));
      }
    }
  }
}

interface ReceivedAggregate {
  /** performance.now() when the test received it: later than its publication, never earlier. */
  at: number;
  instance: string;
  aggregate: AggregateV1;
}

/** Every aggregate on `<root>.md.agg.*`, by instrument, with the instance its header names. */
class AggregateRecorder {
  readonly byInstrument = new Map<string, ReceivedAggregate[]>();
  invalid = 0;
  unattributed = 0;
  private readonly subscription: Subscription;

  constructor(nc: NatsConnection, subjects: Subjects) {
    this.subscription = nc.subscribe(subjects.all.mdAgg(), {
      callback: (error, msg) => {
        if (error !== null) return;
        const at = performance.now();
        const decoded = decodePayload(AggregateV1, msg.data);
        if (!decoded.ok) {
          this.invalid += 1;
          return;
        }
        const instance = msg.headers?.get(PUBLISHER_HEADER) ?? '';
        if (instance === '') this.unattributed += 1;
        const aggregate = decoded.value;
        let list = this.byInstrument.get(aggregate.instrument);
        if (list === undefined) this.byInstrument.set(aggregate.instrument, (list = []));
        list.push({ at, instance, aggregate });
      },
    });
  }

  of(instrument: string): ReceivedAggregate[] {
    return this.byInstrument.get(instrument) ?? [];
  }

  latest(instrument: string): ReceivedAggregate | undefined {
    return this.of(instrument).at(-1);
  }

  /** The publishing instances in order of receipt, repeats collapsed: ['agg-b', 'agg-a'] is one move. */
  publishers(instrument: string): string[] {
    const runs: string[] = [];
    for (const { instance } of this.of(instrument)) if (runs.at(-1) !== instance) runs.push(instance);
    return runs;
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('aggregator failover between two instances', () => {
  const ownerOf = pickInstruments();
  const instruments = [...ownerOf.keys()];
  const moved = instruments.filter((instrument) => ownerOf.get(instrument) === LEAVER);
  let nats: NatsServerProcess;
  let link: NatsLink;
  // Whatever a test started, stopped after it whatever its outcome.
  let processes: ServiceProcess[] = [];
  let feed: MarketFeed | undefined;
  let recorder: AggregateRecorder | undefined;

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    link = await NatsLink.connect({
      servers: [nats.url],
      name: 'aggregator-failover-e2e',
      pingIntervalMs: 2_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
  }, 60_000);

  afterEach(async () => {
    feed?.stop();
    recorder?.close();
    feed = recorder = undefined;
    await Promise.all(processes.map((p) => p.dispose()));
    processes = [];
  });

  afterAll(async () => {
    await link?.close().catch(() => undefined);
    await nats?.dispose();
  });

  /** Both instances on a root of their own, each having claimed its share. */
  async function startPair(): Promise<{
    survivor: ServiceProcess;
    leaver: ServiceProcess;
    root: string;
  }> {
    const root = uniqueSubjectRoot();
    const start = async (instanceId: string) => {
      const instance = new ServiceProcess('aggregator', instanceId, {
        TM_NATS_URL: nats.url,
        TM_DATABASE_URL: inject('databaseUrl'),
        TM_SUBJECT_ROOT: root,
        TM_HTTP_PORT: String(await freePort()),
        TM_HTTP_HOST: '127.0.0.1',
      });
      processes.push(instance);
      return instance;
    };
    const survivor = await start(SURVIVOR);
    const leaver = await start(LEAVER);
    // An instance claims only after its key has been in the bucket for half a TTL and a listing since
    // then showed every member that joined before it; one that claimed before the other joined gives up
    // the other's share as soon as it sees it. So once both have taken slots over, the split is final.
    const claimed = expectEventually(() => {
      for (const instance of [survivor, leaver]) {
        expect(
          instance.said('slots taken over').length,
          `${instance.instanceId}:\n${instance.tail()}`,
        ).toBeGreaterThan(0);
      }
    }, 30_000);
    // An instance that exits (a bad build, a refused config) fails the test at once, with its output.
    const exited = Promise.race(
      [survivor, leaver].map((instance) =>
        instance.exited.then((exit) => {
          throw new Error(`${instance.instanceId} exited (${exit.code ?? exit.signal}):\n${instance.tail()}`);
        }),
      ),
    );
    await Promise.race([claimed, exited]);
    return { survivor, leaver, root };
  }

  /**
   * The leaver stops sharing the slots: killed (SIGKILL), stopped for a deploy (SIGTERM), or frozen
   * (SIGSTOP: a long pause or a partition looks the same to the others) and later woken.
   */
  async function handover(signal: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP'): Promise<void> {
    const { survivor, leaver, root } = await startPair();
    const subjects = createSubjects(root);
    recorder = new AggregateRecorder(link.connection, subjects);
    feed = new MarketFeed(link.connection, subjects, instruments);
    const record = recorder;
    feed.start();

    // Each instrument is published by the instance the hashing gives it, and has trades in it.
    await expectEventually(() => {
      for (const instrument of instruments) {
        const latest = record.latest(instrument);
        expect(latest?.instance, instrument).toBe(ownerOf.get(instrument));
        expect(latest?.aggregate.vwap.session, instrument).toBe(PRICE_BEFORE);
      }
    }, 20_000);
    // The leaver saves its instruments' state every second for the next owner: wait until those saves hold
    // trades, or the continuity check below could not tell an import from a blank start.
    const states = await new Kvm(link.connection).open(createBuckets(root).AGGREGATION_STATE);
    await expectEventually(async () => {
      for (const instrument of moved) {
        const entry = await states.get(instrument);
        expect(entry?.operation, instrument).toBe('PUT');
        const state = AggregationStateV1.parse(entry!.json());
        expect(state.session.volume, instrument).toBeGreaterThan(0);
      }
    }, 10_000);

    // Nothing is published between these lines: the feed and the recorder run on this event loop.
    feed.price = PRICE_AFTER;
    const signalledAt = performance.now();
    const signalledAtMicros = nowMicros();
    const signalledAtWall = Date.now();
    leaver.signal(signal);

    // From the signal to the survivor's first aggregate of each moved instrument, as received here: the
    // membership notices the leaver (a SIGKILLed one when its key expires: up to a TTL after its last
    // renewal, plus a listing period), the survivor imports the saved states, then publishes at its next
    // 500 ms broadcast. Receipt is after publication, so the figure can only overstate the handover.
    const firstFromSurvivor = new Map<string, number>();
    await expectEventually(() => {
      for (const instrument of moved) {
        const first = record.of(instrument).find((r) => r.instance === SURVIVOR && r.at >= signalledAt);
        expect(first, `${instrument} not yet published by ${SURVIVOR}`).toBeDefined();
        firstFromSurvivor.set(instrument, first!.at - signalledAt);
      }
    }, HANDOVER_BOUND_MS * 3);
    const handoverMs = [...firstFromSurvivor.values()];
    const slowest = Math.max(...handoverMs);
    // The survivor's own word for when it took the slots (its log's clock is this machine's).
    const takenOver = survivor.said('slots taken over').find((line) => (line.time ?? 0) >= signalledAtWall);
    console.log(
      `aggregator handover after ${signal}: ${moved.length} instruments moved; ${SURVIVOR} logged ` +
        `"slots taken over" after ${takenOver?.time === undefined ? '?' : takenOver.time - signalledAtWall} ms; ` +
        `first aggregate from ${SURVIVOR} received after ${Math.round(Math.min(...handoverMs))} ms (fastest), ` +
        `${Math.round(median(handoverMs))} ms (median), ${Math.round(slowest)} ms (slowest); bound ${HANDOVER_BOUND_MS} ms`,
    );
    expect(slowest).toBeLessThanOrEqual(HANDOVER_BOUND_MS);

    // The survivor keeps publishing every instrument, moved or not, from input it ingests after the move.
    const movedAt = performance.now();
    await expectEventually(() => {
      for (const instrument of instruments) {
        const fresh = record
          .of(instrument)
          .filter(
            (r) =>
              r.instance === SURVIVOR &&
              r.at > movedAt &&
              r.aggregate.sources.length === SOURCES.length &&
              r.aggregate.sources.every((s) => s.tsInit > signalledAtMicros),
          );
        expect(fresh.length, instrument).toBeGreaterThanOrEqual(AGGREGATES_AFTER_MOVE);
      }
    }, 15_000);

    // The survivor answers snapshot requests for the moved slots, with the imported state in them.
    const requests = new RequestClient(link);
    for (const instrument of moved.slice(0, 5)) {
      const snapshot = await requests.request(
        subjects.mdSnapshot(instrumentSlot(instrument)),
        { v: 1, instrument },
        AggregateV1,
        { timeoutMs: 5_000 },
      );
      expect(snapshot.instrument).toBe(instrument);
      expect(snapshot.vwap.session).toBeGreaterThanOrEqual(PRICE_BEFORE);
      expect(snapshot.vwap.session).toBeLessThan(PRICE_AFTER);
    }
    // A frozen instance wakes with its claim lapsed: it must not publish the slots it held (they are the
    // survivor's now), and it joins again like a newcomer, so its share moves back to it once.
    if (signal === 'SIGSTOP') {
      const resumedAt = performance.now();
      leaver.signal('SIGCONT');
      await expectEventually(() => {
        for (const instrument of moved) {
          const back = record.of(instrument).filter((r) => r.instance === LEAVER && r.at > resumedAt);
          expect(back.length, `${instrument} back on ${LEAVER}:\n${leaver.tail()}`).toBeGreaterThanOrEqual(
            AGGREGATES_AFTER_MOVE,
          );
        }
      }, 20_000);
      const rejoinMs = moved.map(
        (i) => record.of(i).find((r) => r.instance === LEAVER && r.at > resumedAt)!.at - resumedAt,
      );
      console.log(
        `aggregator rejoin after SIGCONT: ${LEAVER} published its ${moved.length} instruments again after ` +
          `${Math.round(Math.min(...rejoinMs))}–${Math.round(Math.max(...rejoinMs))} ms`,
      );
    }
    feed.stop();
    record.close();

    expect(record.invalid).toBe(0);
    expect(record.unattributed).toBe(0);
    for (const instrument of instruments) {
      // One owner at a time: a survivor's instrument never had another publisher, a moved one went from
      // the leaver to the survivor once (and, for a woken leaver, back once): two publishers at once
      // would interleave in the order received.
      const movedRuns = signal === 'SIGSTOP' ? [LEAVER, SURVIVOR, LEAVER] : [LEAVER, SURVIVOR];
      const expected = ownerOf.get(instrument) === SURVIVOR ? [SURVIVOR] : movedRuns;
      expect(record.publishers(instrument), instrument).toEqual(expected);
    }
    for (const instrument of moved) {
      // State rebuilt from the previous owner's save: the pre-move trades are still in the session VWAP.
      for (const { at, aggregate } of record.of(instrument)) {
        if (at < signalledAt) continue;
        expect(aggregate.vwap.session, instrument).not.toBeNull();
        expect(aggregate.vwap.session!, instrument).toBeGreaterThanOrEqual(PRICE_BEFORE);
        expect(aggregate.vwap.session!, instrument).toBeLessThan(PRICE_AFTER);
      }
    }
    if (signal === 'SIGSTOP') {
      expect(leaver.running, leaver.tail()).toBe(true);
    } else {
      const exit = await leaver.exited;
      if (signal === 'SIGKILL') expect(exit.signal).toBe('SIGKILL');
      else expect(exit.code, leaver.tail()).toBe(0);
    }
    expect(survivor.running, survivor.tail()).toBe(true);
  }

  it('moves a killed instance’s instruments to the survivor within 5 s, state and all, never publishing one twice', async () => {
    await handover('SIGKILL');
  }, 60_000);

  it('hands a stopping instance’s instruments over (SIGTERM), state and all, never publishing one twice', async () => {
    await handover('SIGTERM');
  }, 60_000);

  it('takes a frozen instance’s instruments over within 5 s, and gives them back once it wakes and rejoins', async () => {
    await handover('SIGSTOP');
  }, 60_000);
});
