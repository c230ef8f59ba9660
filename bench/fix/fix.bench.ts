// bench/fix: the FIX gateway (services/fix-server) as built, with real NATS and PostgreSQL.
//
// Orders: the fleet (venue-connectors with the paper venue, the aggregator, flow-engine, fix-server) as
// processes; one FIX client sends resting NewOrderSingle limit orders on ETH/USDT (2.5% off the touch, inside
// the 5% band; buy and sell by turns), keeping BENCH_FIX_IN_FLIGHT in flight: the next goes when one gets its
// first ExecutionReport (New or Rejected). Figures: orders/s acknowledged and p50/p99 order→New at the client.
// Baseline in the same run: the same flows (same inputs, same in flight) started straight on NATS with a
// FlowStartCommandV1 to the flow engine, timed to its start reply: the ceiling fix-server sits in front of.
//
// Market data: the aggregator stopped, the bench stands in for it (snapshot replies and a stream of changing
// AggregateV1s on 20 synthetic instruments); 10 FIX sessions subscribe to all 20 (incremental, depth 10), so
// each aggregate becomes 10 X. The publisher is held to at most MD_WINDOW aggregates ahead of what the
// sessions have received (fix-server's NATS subscription never floods), so the figure is what fix-server
// carries. Baseline in the same run: a plain NATS subscriber's receive rate of the same stream unthrottled.
//
// Targets (issue): >= 2,000 orders/s acknowledged with 100 in flight; p99 order→ack <= 20 ms;
// >= 50,000 market-data messages/s across 10 sessions.
//
//   npm run build && npm run bench:fix     (BENCH_FIX_ORDERS=3000, BENCH_FIX_IN_FLIGHT=100, BENCH_FIX_MD_SECONDS=10;
//                                           BENCH_FIX_CPU_PROF=<dir>: a CPU profile of fix-server)
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Subscription } from '@nats-io/transport-node';
import {
  createSubjects,
  decodePayload,
  encodePayload,
  FlowProgressV1,
  FlowStateV1,
  replyEnvelope,
  type FlowStartCommandV1,
  type Subjects,
} from '@tm/contracts';
import { NatsLink } from '@tm/messaging';
import { accountSlot, instrumentSlot } from '@tm/sharding';
import { freePort, uniqueSubjectRoot } from '@tm/testing';
import { MsgTag, type ILooseObject, type MsgView } from 'jspurefix';
import { BenchDatabase } from '../shared/bench-database.js';
import { dropRunStreams } from '../shared/run-streams.js';
import { CpuMeter, natsServerPid } from '../shared/cpu-meter.js';
import { parseMetrics } from '../shared/prometheus-text.js';
import { ServiceProcess } from '../shared/service-process.js';
import { AggregateFeed, syntheticSymbols } from './aggregate-feed.js';
import { FixBenchClient } from './fix-bench-client.js';

const NATS_URL = process.env.TM_NATS_URL ?? 'nats://127.0.0.1:4222';
const ORDERS = Number(process.env.BENCH_FIX_ORDERS ?? 3_000);
const IN_FLIGHT = Number(process.env.BENCH_FIX_IN_FLIGHT ?? 100);
const WARM_UP = 200;
/** Orders sent one at a time: latency without queueing (100 in flight measures throughput, and queues). */
const SERIAL_ORDERS = Number(process.env.BENCH_FIX_SERIAL_ORDERS ?? 300);
const MD_SECONDS = Number(process.env.BENCH_FIX_MD_SECONDS ?? 10);
const MD_BASELINE_SECONDS = 5;
const MD_SESSIONS = 10;
const MD_INSTRUMENTS = 20;
/** Aggregates the publisher may be ahead of the sessions (× 10 FIX messages in flight). */
const MD_WINDOW = 1_000;
const MD_BATCH = 100;
/** When set, fix-server writes a V8 CPU profile there on exit (where its time goes). */
const PROFILE_DIR = process.env.BENCH_FIX_CPU_PROF;

const ACCOUNT = 'paper-main';
const INSTRUMENT = 'ETH/USDT';
/** 0.002 ETH at ~2,900 USDT: above the 5 USDT minimum notional; 1,600 sells a phase stay inside 10 ETH. */
const QTY = '0.002';
/** How far from the touch the orders rest: never filled, well inside the flow engine's 5% band. */
const OFFSET = 0.025;
const ADMIN_TOKEN = 'fix-bench-admin-token-0123456789';
const PASSWORD = 'fix bench password';
const ORDER_CLIENT = 'BENCHORD';

const TARGET_ORDERS_PER_SEC = 2_000;
const TARGET_P99_MS = 20;
const TARGET_MD_PER_SEC = 50_000;

const FLOW_REPLY = replyEnvelope(FlowStateV1);
const decoder = new TextDecoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

interface Prices {
  buy: string;
  sell: string;
  bid: number;
  ask: number;
}

interface OrderRun {
  count: number;
  acknowledged: number;
  rejected: number;
  firstReject: string | undefined;
  perSec: number;
  /** Acknowledged orders' latency in ms, sorted. */
  latencies: number[];
}

function describeRun(run: OrderRun): string {
  return `${Math.round(run.perSec)} orders/s acknowledged; p50 ${percentile(run.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(run.latencies, 0.99).toFixed(1)} ms; ${run.rejected} rejected${run.firstReject ? ` (e.g. ${run.firstReject})` : ''}`;
}

// ---- orders through FIX ----

function newOrder(clOrdId: string, buy: boolean, prices: Prices): ILooseObject {
  return {
    ClOrdID: clOrdId,
    Account: ACCOUNT,
    Side: buy ? '1' : '2',
    Instrument: { Symbol: INSTRUMENT },
    OrderQtyData: { OrderQty: QTY },
    OrdType: '2',
    Price: buy ? prices.buy : prices.sell,
    TimeInForce: '1',
    TransactTime: new Date(),
  };
}

/** The touch of ETH/USDT from a FIX snapshot (W), and the resting prices 2.5% outside it. */
async function touch(client: FixBenchClient): Promise<Prices> {
  const mdReqId = `touch-${Date.now()}`;
  const snapshot = new Promise<ILooseObject>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no W for the touch in 10 s')), 10_000);
    client.handler = (msgType, view) => {
      if ((msgType === 'W' || msgType === 'Y') && view.getString(MsgTag.MDReqID) === mdReqId) {
        clearTimeout(timer);
        if (msgType === 'Y') reject(new Error(`touch refused: ${view.getString(MsgTag.Text) ?? ''}`));
        else resolve(view.toObject() as ILooseObject);
      }
    };
  });
  client.send('V', {
    MDReqID: mdReqId,
    SubscriptionRequestType: '0',
    MarketDepth: 1,
    MDReqGrp: [{ MDEntryType: '0' }, { MDEntryType: '1' }],
    InstrmtMDReqGrp: [{ Instrument: { Symbol: INSTRUMENT } }],
  });
  const entries = ((await snapshot)['MDFullGrp'] ?? []) as ILooseObject[];
  const price = (type: string) => Number(entries.find((e) => e['MDEntryType'] === type)?.['MDEntryPx']);
  const bid = price('0');
  const ask = price('1');
  if (!(bid > 0 && ask > 0)) throw new Error(`no two-sided ${INSTRUMENT} touch in the W`);
  return {
    bid,
    ask,
    buy: (Math.floor(bid * (1 - OFFSET) * 100) / 100).toFixed(2),
    sell: (Math.ceil(ask * (1 + OFFSET) * 100) / 100).toFixed(2),
  };
}

/** `count` NewOrderSingles, `inFlight` at a time, each done at its first ExecutionReport. */
function fixOrders(
  client: FixBenchClient,
  count: number,
  inFlight: number,
  prices: Prices,
  label: string,
): Promise<OrderRun> {
  return new Promise((resolve, reject) => {
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let next = 0;
    let done = 0;
    let rejected = 0;
    let firstReject: string | undefined;
    const started = performance.now();
    const guard = setTimeout(
      () => reject(new Error(`${label}: ${done} of ${count} orders answered in 120 s`)),
      120_000,
    );
    const sendOne = () => {
      const n = next++;
      const clOrdId = `${label}-${n}`;
      sentAt.set(clOrdId, performance.now());
      client.send('D', newOrder(clOrdId, n % 2 === 0, prices));
    };
    client.handler = (msgType: string, view: MsgView) => {
      if (msgType === 'j') {
        clearTimeout(guard);
        reject(new Error(`${label}: BusinessMessageReject: ${view.getString(MsgTag.Text) ?? ''}`));
        return;
      }
      if (msgType !== '8') return;
      const clOrdId = view.getString(MsgTag.ClOrdID) ?? '';
      const at = sentAt.get(clOrdId);
      if (at === undefined) return;
      sentAt.delete(clOrdId);
      if (view.getString(MsgTag.ExecType) === '0') latencies.push(performance.now() - at);
      else {
        rejected += 1;
        firstReject ??= view.getString(MsgTag.Text) ?? `ExecType ${view.getString(MsgTag.ExecType) ?? '?'}`;
      }
      done += 1;
      if (next < count) sendOne();
      else if (done === count) {
        clearTimeout(guard);
        const seconds = (performance.now() - started) / 1_000;
        resolve({
          count,
          acknowledged: latencies.length,
          rejected,
          firstReject,
          perSec: latencies.length / seconds,
          latencies: latencies.sort((a, b) => a - b),
        });
      }
    };
    for (let i = 0; i < Math.min(inFlight, count); i++) sendOne();
  });
}

// ---- the same flows straight on NATS ----

/** The flow a NewOrderSingle becomes (new-order-single.ts), started by us: the baseline fix-server sits on. */
async function bareFlows(
  link: NatsLink,
  subjects: Subjects,
  count: number,
  inFlight: number,
  prices: Prices,
  label: string,
): Promise<OrderRun> {
  const subject = subjects.flowCmd(accountSlot(ACCOUNT));
  const latencies: number[] = [];
  let rejected = 0;
  let firstReject: string | undefined;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) {
        const n = next++;
        const buy = n % 2 === 0;
        const command: FlowStartCommandV1 = {
          v: 1,
          type: 'start',
          idempotencyKey: `bare:${subjects.root}:${label}-${n}`,
          account: ACCOUNT,
          verb: buy ? 'buy' : 'sell',
          input: {
            venue: 'paper',
            instrument: INSTRUMENT,
            kind: 'limit',
            price: buy ? prices.buy : prices.sell,
            makerOnly: false,
            tag: `bare.${createHash('sha256').update(`${label}-${n}`).digest('hex').slice(0, 32)}`,
            amount: QTY,
          },
          requester: { kind: 'system', id: 'fix-bench' },
          causationId: `${label}-${n}`,
        };
        const at = performance.now();
        const reply = await link.connection.request(subject, encodePayload(command), { timeout: 10_000 });
        const decoded = decodePayload(FLOW_REPLY, reply.data);
        const status = decoded.ok && decoded.value.ok ? decoded.value.result.status : null;
        if (status !== null && status !== 'refused' && status !== 'failed' && status !== 'canceled')
          latencies.push(performance.now() - at);
        else {
          rejected += 1;
          firstReject ??= decoder.decode(reply.data).slice(0, 200);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  return {
    count,
    acknowledged: latencies.length,
    rejected,
    firstReject,
    perSec: latencies.length / seconds,
    latencies: latencies.sort((a, b) => a - b),
  };
}

/**
 * A cancel-orders flow for the account's ETH/USDT orders on the paper venue, retried until an engine owns the
 * slot. It starts once the account's progress is quiet (a start is answered after the check, before the
 * order is placed) and waits for the canceled flows' progress to go quiet again. Resolves with how many it canceled.
 */
async function cancelResting(link: NatsLink, subjects: Subjects, label: string): Promise<number> {
  let lastProgress = performance.now();
  let ended: FlowProgressV1 | undefined;
  let flowId: string | undefined;
  const subscription = link.connection.subscribe(subjects.flowProgress(accountSlot(ACCOUNT)), {
    callback: (_error, msg) => {
      lastProgress = performance.now();
      const decoded = decodePayload(FlowProgressV1, msg.data);
      if (!decoded.ok || decoded.value.verb !== 'cancel-orders') return;
      const type = decoded.value.type;
      if (
        type === 'FlowSucceeded' ||
        type === 'FlowFailed' ||
        type === 'FlowRefused' ||
        type === 'FlowCanceled'
      )
        if (flowId === undefined || decoded.value.flowId === flowId) ended ??= decoded.value;
    },
  });
  const quiet = async (until: number) => {
    await link.connection.flush();
    while (performance.now() - lastProgress < 500 && performance.now() < until) await sleep(50);
  };
  try {
    await quiet(performance.now() + 30_000);
    const command: FlowStartCommandV1 = {
      v: 1,
      type: 'start',
      idempotencyKey: `cancel:${subjects.root}:${label}`,
      account: ACCOUNT,
      verb: 'cancel-orders',
      input: { venue: 'paper', instrument: INSTRUMENT },
      requester: { kind: 'system', id: 'fix-bench' },
    };
    const deadline = performance.now() + 60_000;
    for (;;) {
      try {
        const reply = await link.connection.request(
          subjects.flowCmd(accountSlot(ACCOUNT)),
          encodePayload(command),
          { timeout: 5_000 },
        );
        const decoded = decodePayload(FLOW_REPLY, reply.data);
        if (decoded.ok && decoded.value.ok) {
          flowId = decoded.value.result.flowId;
          if (ended !== undefined && ended.flowId !== flowId) ended = undefined;
          break;
        }
        throw new Error(`cancel-orders refused: ${decoder.decode(reply.data)}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('cancel-orders refused')) throw error;
        if (performance.now() > deadline) throw error;
        await sleep(500);
      }
    }
    while (ended === undefined) {
      if (performance.now() > deadline) throw new Error(`${label}: cancel-orders did not end in 60 s`);
      await sleep(20);
    }
    // The canceled orders' own flows end now; the next phase starts once their progress is quiet.
    await quiet(deadline);
    const result = ended.detail['result'] as { canceled?: unknown } | undefined;
    return typeof result?.canceled === 'number' ? result.canceled : 0;
  } finally {
    subscription.unsubscribe();
  }
}

// ---- fix-server's own order latency ----

/** `tm_fix_order_latency_seconds{kind="ack"}` bucket counts, by upper bound (seconds). */
function ackBuckets(metrics: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const sample of parseMetrics(metrics))
    if (sample.name === 'tm_fix_order_latency_seconds_bucket' && sample.labels['kind'] === 'ack') {
      const le = sample.labels['le'] === '+Inf' ? Infinity : Number(sample.labels['le']);
      buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
    }
  return buckets;
}

/** The bucket bound (ms) under which a quantile of the observations between two scrapes falls. */
function bucketQuantile(before: Map<number, number>, after: Map<number, number>, p: number): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return 'n/a';
  for (const bound of bounds) {
    const count = (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
    if (count >= total * p) return bound === Infinity ? '> 10 s' : `<= ${bound * 1_000} ms`;
  }
  return 'n/a';
}

// ---- market data ----

interface MarketDataRun {
  fixPerSec: number;
  aggregatesPerSec: number;
  /** Aggregates published and not yet seen by every session when the window closed. */
  behind: number;
  cpu: string;
  /** CPU µs per FIX message: fix-server's to build and send it, the bench's 10 clients' to receive it. */
  serverMicros: number | undefined;
  clientMicros: number | undefined;
}

function marketDataRequest(mdReqId: string, symbols: readonly string[]): ILooseObject {
  return {
    MDReqID: mdReqId,
    SubscriptionRequestType: '1',
    MarketDepth: 10,
    MDUpdateType: 1,
    MDReqGrp: [{ MDEntryType: '0' }, { MDEntryType: '1' }],
    InstrmtMDReqGrp: symbols.map((symbol) => ({ Instrument: { Symbol: symbol } })),
  };
}

/** The plain NATS subscriber: the same stream, unthrottled, counted on the slots' subjects. Aggregates/s. */
async function bareAggregates(link: NatsLink, subjects: Subjects, feed: AggregateFeed): Promise<number> {
  let received = 0;
  let first = 0;
  let last = 0;
  const slots = new Set(feed.symbols.map((symbol) => instrumentSlot(symbol)));
  const subscriptions: Subscription[] = [...slots].map((slot) =>
    link.connection.subscribe(subjects.mdAgg(slot), {
      callback: () => {
        last = performance.now();
        if (received++ === 0) first = last;
      },
    }),
  );
  await link.connection.flush();
  const start = feed.published;
  const until = performance.now() + MD_BASELINE_SECONDS * 1_000;
  while (performance.now() < until) {
    feed.publish(MD_BATCH * 10);
    await link.connection.flush();
  }
  const sent = feed.published - start;
  const deadline = performance.now() + 5_000;
  while (received < sent && performance.now() < deadline) await sleep(10);
  for (const subscription of subscriptions) subscription.unsubscribe();
  return received / ((last - first) / 1_000);
}

async function fixMarketData(
  feed: AggregateFeed,
  clients: readonly FixBenchClient[],
  pids: Record<string, number | undefined | number[]>,
): Promise<MarketDataRun> {
  const fixMessages = () => clients.reduce((sum, c) => sum + c.count('W') + c.count('X'), 0);
  const increments = () => clients.reduce((sum, c) => sum + c.count('X'), 0);
  const refusals = () => clients.reduce((sum, c) => sum + c.count('Y'), 0);
  for (const [i, client] of clients.entries()) client.send('V', marketDataRequest(`md-${i}`, feed.symbols));
  const subscribed = performance.now() + 15_000;
  while (clients.some((c) => c.count('W') < feed.symbols.length)) {
    if (refusals() > 0) throw new Error('a MarketDataRequest was refused (Y)');
    if (performance.now() > subscribed)
      throw new Error('the 10 sessions did not get their snapshots in 15 s');
    await sleep(20);
  }
  const meter = new CpuMeter(pids);
  const messagesBefore = fixMessages();
  const incrementsBefore = increments();
  const publishedBefore = feed.published;
  const started = performance.now();
  const until = started + MD_SECONDS * 1_000;
  let stalledSince: number | undefined;
  while (performance.now() < until) {
    const seen = (increments() - incrementsBefore) / clients.length;
    if (feed.published - publishedBefore - seen < MD_WINDOW) {
      feed.publish(MD_BATCH);
      stalledSince = undefined;
      // Lets the sessions' sockets be read between batches.
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    stalledSince ??= performance.now();
    if (performance.now() - stalledSince > 5_000)
      throw new Error('fix-server sent no X for 5 s: aggregates are lost');
    // A full window: wait for the sessions rather than spin.
    await sleep(1);
  }
  const seconds = (performance.now() - started) / 1_000;
  const cpu = meter.describe();
  const shares = meter.shares();
  const messages = fixMessages() - messagesBefore;
  const published = feed.published - publishedBefore;
  const behind = published - (increments() - incrementsBefore) / clients.length;
  const perMessage = (share: number | undefined) =>
    share === undefined ? undefined : (share * seconds * 1e6) / messages;
  return {
    fixPerSec: messages / seconds,
    aggregatesPerSec: published / seconds,
    behind,
    cpu,
    serverMicros: perMessage(shares['fix-server']),
    clientMicros: perMessage(shares['bench']),
  };
}

// ---- the fleet ----

async function createClient(fix: ServiceProcess, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${fix.port}/api/fix/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ password: PASSWORD, ...body }),
  });
  if (response.status !== 201)
    throw new Error(`client not created: ${response.status} ${await response.text()}`);
}

async function untilAggregating(link: NatsLink, subjects: Subjects): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    try {
      const reply = await link.connection.request(
        subjects.mdSnapshot(instrumentSlot(INSTRUMENT)),
        encodePayload({ v: 1, instrument: INSTRUMENT }),
        { timeout: 1_000 },
      );
      if (decoder.decode(reply.data).includes('"ok":true')) return;
    } catch {
      // not yet
    }
    if (performance.now() > deadline) throw new Error(`the aggregator never answered for ${INSTRUMENT}`);
    await sleep(200);
  }
}

function postgresPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => {
      try {
        return /^\d+$/.test(entry) && readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .map(Number);
}

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

async function main(): Promise<void> {
  const database = await BenchDatabase.create();
  const root = uniqueSubjectRoot();
  const subjects = createSubjects(root);
  const link = await NatsLink.connect({
    servers: [NATS_URL],
    name: 'fix-bench',
    pingIntervalMs: 10_000,
    maxPingOut: 3,
    reconnectWaitMs: 500,
    reconnectJitterMs: 100,
  });
  const services: ServiceProcess[] = [];
  const clients: FixBenchClient[] = [];
  let feed: AggregateFeed | undefined;
  try {
    const env = { TM_DATABASE_URL: database.url, TM_SUBJECT_ROOT: root };
    const fixPort = await freePort();
    console.log(
      `fix bench: ${ORDERS} resting limit orders of ${QTY} ${INSTRUMENT} on the paper venue, ${IN_FLIGHT} in flight; ` +
        `market data: ${MD_SESSIONS} sessions × ${MD_INSTRUMENTS} instruments for ${MD_SECONDS} s`,
    );
    // The venue's execution budget lifted, and resting orders' status polls pushed out past the run (events
    // still end them at once): the bench measures order entry, for FIX and the baseline alike.
    const venue = await ServiceProcess.start('venue-connectors', { ...env, TM_VENUE_EXEC_RATE: '1000000' });
    services.push(venue);
    const aggregator = await ServiceProcess.start('aggregator', env);
    services.push(aggregator);
    const engine = await ServiceProcess.start('flow-engine', { ...env, TM_FLOW_ORDER_POLL: '60s' });
    services.push(engine);
    const fix = await ServiceProcess.start(
      'fix-server',
      {
        ...env,
        TM_FIX_HOST: '127.0.0.1',
        TM_FIX_TCP_PORT: String(fixPort),
        TM_FIX_TLS_PORT: String(await freePort()),
        TM_FIX_ADMIN_TOKEN: ADMIN_TOKEN,
      },
      PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
    );
    services.push(fix);
    await untilAggregating(link, subjects);
    await cancelResting(link, subjects, 'probe');

    await createClient(fix, {
      senderCompId: ORDER_CLIENT,
      allowedAccounts: [ACCOUNT],
      maxMessagesPerSecond: 100_000,
    });
    const orderClient = new FixBenchClient({ port: fixPort, senderCompId: ORDER_CLIENT, password: PASSWORD });
    clients.push(orderClient);
    await orderClient.connect();

    // ---- orders ----
    let prices = await touch(orderClient);
    await fixOrders(orderClient, WARM_UP, IN_FLIGHT, prices, 'warm');
    await bareFlows(link, subjects, WARM_UP, IN_FLIGHT, prices, 'warm');
    await cancelResting(link, subjects, 'warm');
    const bareSerial = await bareFlows(link, subjects, SERIAL_ORDERS, 1, prices, 'serial');
    const fixSerial = await fixOrders(orderClient, SERIAL_ORDERS, 1, prices, 'serial');
    await cancelResting(link, subjects, 'serial');

    prices = await touch(orderClient);
    console.log(
      `touch ${prices.bid}/${prices.ask}: buys at ${prices.buy}, sells at ${prices.sell} (${OFFSET * 100}% outside)`,
    );
    const pids = {
      'fix-server': fix.child.pid,
      'flow-engine': engine.child.pid,
      'venue-connectors': venue.child.pid,
      aggregator: aggregator.child.pid,
      'nats-server': natsServerPid(4222),
      postgres: postgresPids(),
      bench: process.pid,
    };
    let meter = new CpuMeter(pids);
    const bare = await bareFlows(link, subjects, ORDERS, IN_FLIGHT, prices, 'run');
    const bareCpu = meter.describe();
    const bareCanceled = await cancelResting(link, subjects, 'bare');

    prices = await touch(orderClient);
    const ackBefore = ackBuckets(await fix.metrics());
    meter = new CpuMeter(pids);
    const viaFix = await fixOrders(orderClient, ORDERS, IN_FLIGHT, prices, 'run');
    const fixCpu = meter.describe();
    const fixServerShare = meter.shares()['fix-server'];
    const ackAfter = ackBuckets(await fix.metrics());
    const fixCanceled = await cancelResting(link, subjects, 'fix');

    console.log(`baseline: flow starts on NATS (${IN_FLIGHT} in flight):  ${describeRun(bare)}`);
    console.log(`  CPU (100% = one core): ${bareCpu}`);
    console.log(`FIX NewOrderSingle → New (${IN_FLIGHT} in flight):     ${describeRun(viaFix)}`);
    console.log(`  CPU (100% = one core): ${fixCpu}`);
    if (fixServerShare !== undefined)
      console.log(
        `  fix-server CPU per order: ${Math.round((fixServerShare / viaFix.perSec) * 1e6)} µs (D in, New out, the flows' progress and execution events followed)`,
      );
    console.log(
      `  fix-server's own D → New (tm_fix_order_latency_seconds, ack): p50 ${bucketQuantile(ackBefore, ackAfter, 0.5)}, p99 ${bucketQuantile(ackBefore, ackAfter, 0.99)}`,
    );
    console.log(
      `  ratio FIX ÷ bare flow starts: ${(viaFix.perSec / bare.perSec).toFixed(2)} (orders/s); p50 latency ${(percentile(viaFix.latencies, 0.5) / percentile(bare.latencies, 0.5)).toFixed(2)}×, p99 ${(percentile(viaFix.latencies, 0.99) / percentile(bare.latencies, 0.99)).toFixed(2)}×`,
    );
    console.log(`  resting orders canceled after each run: baseline ${bareCanceled}, FIX ${fixCanceled}`);
    console.log(
      `one at a time (${SERIAL_ORDERS} each, no queueing): bare flow start p50 ${percentile(bareSerial.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(bareSerial.latencies, 0.99).toFixed(1)} ms; ` +
        `FIX order→New p50 ${percentile(fixSerial.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(fixSerial.latencies, 0.99).toFixed(1)} ms; ` +
        `ratio p99 FIX ÷ bare ${(percentile(fixSerial.latencies, 0.99) / percentile(bareSerial.latencies, 0.99)).toFixed(2)}`,
    );

    // ---- market data: the bench is the aggregator now ----
    for (const service of [aggregator, engine, venue]) await service.stop();
    feed = new AggregateFeed(link.connection, subjects, syntheticSymbols(MD_INSTRUMENTS));
    feed.startResponder();
    const mdClients: FixBenchClient[] = [];
    for (let i = 1; i <= MD_SESSIONS; i++) {
      const senderCompId = `BENCHMD${String(i).padStart(2, '0')}`;
      await createClient(fix, {
        senderCompId,
        maxSubscriptions: MD_INSTRUMENTS,
        maxMessagesPerSecond: 1_000,
      });
      const client = new FixBenchClient({ port: fixPort, senderCompId, password: PASSWORD });
      clients.push(client);
      mdClients.push(client);
      await client.connect();
    }
    const bareRate = await bareAggregates(link, subjects, feed);
    console.log(
      `baseline: plain NATS subscriber, the AggregateV1 stream unthrottled: ${Math.round(bareRate)} aggregates/s`,
    );
    const md = await fixMarketData(feed, mdClients, {
      'fix-server': fix.child.pid,
      'nats-server': natsServerPid(4222),
      postgres: postgresPids(),
      bench: process.pid,
    });
    console.log(
      `FIX W+X across ${MD_SESSIONS} sessions: ${Math.round(md.fixPerSec)} messages/s from ${Math.round(md.aggregatesPerSec)} aggregates/s ` +
        `(each aggregate is ${MD_SESSIONS} X: ${MD_SESSIONS} sessions × 1 of its ${MD_INSTRUMENTS} instruments); ${Math.round(md.behind)} aggregates in flight at the end`,
    );
    console.log(`  CPU (100% = one core): ${md.cpu}`);
    console.log(
      `  CPU per FIX message: fix-server ${md.serverMicros?.toFixed(0) ?? 'n/a'} µs to build and send, ` +
        `bench ${md.clientMicros?.toFixed(0) ?? 'n/a'} µs to publish its share and receive it (jspurefix decode)`,
    );
    console.log(
      `  ratio FIX messages/s ÷ bare aggregates/s: ${(md.fixPerSec / bareRate).toFixed(2)} (the fan-out ceiling is ${MD_SESSIONS}); ` +
        `aggregates carried ÷ bare: ${(md.aggregatesPerSec / bareRate).toFixed(3)}`,
    );

    const p99 = percentile(viaFix.latencies, 0.99);
    const serialP99 = percentile(fixSerial.latencies, 0.99);
    const rows: [string, string, string, boolean][] = [
      [
        `orders acknowledged/s (${IN_FLIGHT} in flight)`,
        String(Math.round(viaFix.perSec)),
        `>= ${TARGET_ORDERS_PER_SEC}`,
        viaFix.perSec >= TARGET_ORDERS_PER_SEC,
      ],
      [
        `p99 order→ack, ${IN_FLIGHT} in flight`,
        `${p99.toFixed(1)} ms`,
        `<= ${TARGET_P99_MS} ms`,
        p99 <= TARGET_P99_MS,
      ],
      [
        'p99 order→ack, one at a time',
        `${serialP99.toFixed(1)} ms`,
        `<= ${TARGET_P99_MS} ms`,
        serialP99 <= TARGET_P99_MS,
      ],
      [
        `market data messages/s (${MD_SESSIONS} sessions)`,
        String(Math.round(md.fixPerSec)),
        `>= ${TARGET_MD_PER_SEC}`,
        md.fixPerSec >= TARGET_MD_PER_SEC,
      ],
    ];
    console.log('');
    console.log(`${'figure'.padEnd(42)}${'value'.padStart(12)}  ${'target'.padEnd(12)}`);
    for (const [name, value, target, met] of rows)
      console.log(`${name.padEnd(42)}${value.padStart(12)}  ${target.padEnd(12)}${verdict(met)}`);
  } finally {
    feed?.stop();
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(services.map((s) => s.stop()));
    await dropRunStreams(link, root);
    await link.close();
    await database.drop();
  }
}

await main();
