// Ticks per second one aggregator instance ingests from NATS (1,000 instruments × 3 sources), beside the
// raw NATS subscribe rate of the same machine measured in the same run (the ceiling), the in-process
// decode + ingest rate of @tm/aggregation, and the tick→broadcast delay. Run after the build:
// npm run bench:aggregator (never part of the tests). Options: `--profile-service <dir>` writes the
// service's .cpuprofile there; `--timeline` prints every /metrics refresh of the ingest run; `--rate <n>`
// paces the publisher of the ingest run at n ticks/s instead of as fast as it can; `--service-env NAME=value`
// gives the service extra configuration; `--no-tick-capture` takes the tick subjects out of the MD stream
// once the service has provisioned it, to see the aggregator without the server storing every tick.
// The feed comes from a child process (tick-publisher.ts), so the publisher never shares the measured
// side's event loop; every publisher run is the same program for the same time.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MarketAggregator } from '@tm/aggregation';
import {
  AggregateV1,
  createBuckets,
  createStreams,
  createSubjects,
  MarketDataDecoder,
  nowMicros,
} from '@tm/contracts';
import { provisionStream } from '@tm/messaging';
import { NatsServerProcess, uniqueSubjectRoot } from '@tm/testing';
import { BenchDatabase } from '../shared/bench-database.js';
import { CpuMeter, natsServerPid } from '../shared/cpu-meter.js';
import { AggregatorProcess, sleep, type AggregatorCounters } from './aggregator-process.js';
import {
  INSTRUMENT_COUNT,
  microsDigits,
  SOURCES,
  type PublisherOptions,
  type PublisherReport,
  stampTick,
  tickStreams,
  type TickStream,
} from './tick-streams.js';

const PUBLISHER_MAIN = fileURLToPath(new URL('./tick-publisher.js', import.meta.url));
const STREAM_COUNT = INSTRUMENT_COUNT * SOURCES.length;
const ALL_SLOTS = 32_767;
/** Every publisher run; its first WARMUP_MS are not measured (JIT, connection, the service's first refresh). */
const PUBLISH_MS = 6_000;
const WARMUP_MS = 1_500;
const METRICS_POLL_MS = 100;
/** In process: the synthetic feed rate, so tick() (every 100 ms of synthetic time) costs what it would at that rate. */
const SYNTHETIC_TICKS_PER_SEC = 200_000;
const IN_PROCESS_WARMUP_MS = 1_000;
const IN_PROCESS_MS = 3_000;
const LATENCY_RATE = 30_000;
const LATENCY_MS = 10_000;
/** After the last latency tick: past one broadcast period (500 ms) and its computation. */
const LATENCY_TAIL_MS = 1_500;
const INGEST_TARGET_RATIO = 0.6;
const P99_TARGET_MS = 600;
/** Other processes above this share of one core before the run make every figure here lower than it should be. */
const BUSY_MACHINE_WARNING = 0.15;

const profileDir = argValue('--profile-service');
const timeline = process.argv.includes('--timeline');
const ingestRate = Number(argValue('--rate') ?? 0);
const noTickCapture = process.argv.includes('--no-tick-capture');
/** `--service-env NAME=value` (repeatable): extra configuration for the service, e.g. TM_AGG_STATE_SAVE=10s. */
const serviceEnv = Object.fromEntries(
  process.argv.flatMap((arg, i) => {
    const value = process.argv[i + 1];
    return arg === '--service-env' && value?.includes('=') ? [value.split(/=(.*)/s).slice(0, 2)] : [];
  }),
) as Record<string, string>;

function argValue(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const label = (text: string) => text.padEnd(50);

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface PublisherRun {
  child: ChildProcess;
  /** performance.now() when the publisher said it started. */
  started: Promise<number>;
  done: Promise<{ published: number; elapsedMs: number }>;
}

function startPublisher(natsUrl: string, root: string, ratePerSec = 0): PublisherRun {
  const options: PublisherOptions = { natsUrl, root, durationMs: PUBLISH_MS, ratePerSec };
  const child = spawn(process.execPath, [PUBLISHER_MAIN, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`the tick publisher exited with ${code} before it was done`)),
    ),
  );
  let onStarted: (at: number) => void = () => undefined;
  let onDone: (done: { published: number; elapsedMs: number }) => void = () => undefined;
  lines.on('line', (line) => {
    const report = JSON.parse(line) as PublisherReport;
    if (report.event === 'started') onStarted(performance.now());
    else onDone(report);
  });
  const started = Promise.race([new Promise<number>((resolve) => (onStarted = resolve)), exited]);
  const done = Promise.race([
    new Promise<{ published: number; elapsedMs: number }>((resolve) => (onDone = resolve)),
    exited,
  ]);
  // Either may go unawaited when the other fails first.
  started.catch(() => undefined);
  done.catch(() => undefined);
  return { child, started, done };
}

interface RawFigures {
  perSecond: number;
  published: number;
  received: number;
  cpu: string;
}

/** The publisher process → NATS → a subscriber in this process that only counts. */
async function benchRawNats(nc: NatsConnection, nats: NatsServerProcess, root: string): Promise<RawFigures> {
  let received = 0;
  let warmAt = Number.POSITIVE_INFINITY;
  let warmCount = -1;
  let lastAt = 0;
  let lastCount = 0;
  const subscription = nc.subscribe(createSubjects(root).all.mdTick(), {
    callback: () => {
      received += 1;
      if ((received & 1_023) !== 0) return;
      const now = performance.now();
      if (warmCount < 0 && now >= warmAt) [warmAt, warmCount] = [now, received];
      [lastAt, lastCount] = [now, received];
    },
  });
  await nc.flush();
  const publisher = startPublisher(nats.url, root);
  warmAt = (await publisher.started) + WARMUP_MS;
  await sleep(WARMUP_MS);
  const cpu = new CpuMeter({
    publisher: publisher.child.pid,
    subscriber: process.pid,
    'nats-server': natsServerPid(nats.port),
  });
  const { published } = await publisher.done;
  const cpuText = cpu.describe();
  // Drained when nothing more arrives for a while.
  for (let seen = -1; seen !== received;) {
    seen = received;
    await sleep(300);
  }
  subscription.unsubscribe();
  return {
    perSecond: warmCount < 0 ? Number.NaN : ((lastCount - warmCount) / (lastAt - warmAt)) * 1_000,
    published,
    received,
    cpu: cpuText,
  };
}

interface InProcessFigures {
  perSecond: number;
  msPerCompute: number;
  refused: number;
}

/** Decode + ingest of the same pre-encoded ticks, a tick() every 100 ms of synthetic time. */
function benchInProcess(root: string): InProcessFigures {
  const streams = tickStreams(root);
  const decoder = new MarketDataDecoder();
  const aggregator = new MarketAggregator();
  const batch = 1_000;
  const stepMicros = (batch * 1_000_000) / SYNTHETIC_TICKS_PER_SEC;
  const computeEveryMicros = aggregator.settings.tickIntervalMicros;
  let synthetic = nowMicros();
  let nextCompute = synthetic + computeEveryMicros;
  let next = 0;
  let refused = 0;
  const run = (ms: number) => {
    let ticks = 0;
    let computeMs = 0;
    let computes = 0;
    const started = performance.now();
    const deadline = started + ms;
    while (performance.now() < deadline) {
      const digits = microsDigits(synthetic);
      for (let i = 0; i < batch; i++) {
        const stream = streams[next] as TickStream;
        stampTick(stream, digits);
        const decoded = decoder.decode('tick', stream.payload);
        if (!decoded.ok || !aggregator.ingestTick(decoded.value).ok) refused += 1;
        next = next + 1 === streams.length ? 0 : next + 1;
      }
      ticks += batch;
      synthetic += stepMicros;
      if (synthetic >= nextCompute) {
        const t0 = performance.now();
        aggregator.tick(synthetic);
        computeMs += performance.now() - t0;
        computes += 1;
        nextCompute += computeEveryMicros;
      }
    }
    return { ticks, elapsedMs: performance.now() - started, computeMs, computes };
  };
  run(IN_PROCESS_WARMUP_MS);
  const measured = run(IN_PROCESS_MS);
  return {
    perSecond: (measured.ticks / measured.elapsedMs) * 1_000,
    msPerCompute: measured.computeMs / Math.max(1, measured.computes),
    refused,
  };
}

interface IngestFigures {
  perSecond: number;
  /** The rate over the refresh intervals in which no tick found its slot not owned, and their total length. */
  whileOwningPerSecond: number;
  whileOwningMs: number;
  published: number;
  before: AggregatorCounters;
  after: AggregatorCounters;
  cpu: string;
  /** The longest time between two /metrics answers while publishing. */
  pollGapMs: number;
}

/**
 * The same publisher against the service. /metrics refreshes once a second inside the service, so the rate is
 * taken between the first and the last refresh seen inside the measured window, each timed when first seen.
 */
async function benchServiceIngest(
  service: AggregatorProcess,
  nats: NatsServerProcess,
  root: string,
): Promise<IngestFigures> {
  const before = await service.counters();
  const changes: { atMs: number; ingested: number; notOwned: number }[] = [];
  let polling = true;
  let pollGapMs = 0;
  const t0 = performance.now();
  const poller = (async () => {
    let last = before;
    let lastAt = performance.now();
    while (polling) {
      const c = await service.counters().catch(() => undefined);
      const now = performance.now();
      pollGapMs = Math.max(pollGapMs, now - lastAt);
      lastAt = now;
      const ingested = c?.outcomes['ingested'] ?? 0;
      const notOwned = c?.outcomes['notOwned'] ?? 0;
      if (
        c === undefined ||
        (ingested === last.outcomes['ingested'] && notOwned === last.outcomes['notOwned'])
      ) {
        await sleep(METRICS_POLL_MS);
        continue;
      }
      changes.push({ atMs: now, ingested, notOwned });
      last = c;
      if (timeline) {
        const outcomes = Object.entries(c.outcomes).map(([outcome, n]) => `${outcome} ${count(n)}`);
        console.log(`  ${((now - t0) / 1_000).toFixed(2)} s  owned ${c.ownedSlots}  ${outcomes.join('  ')}`);
      }
      await sleep(METRICS_POLL_MS);
    }
  })();
  const publisher = startPublisher(nats.url, root, ingestRate);
  const started = await publisher.started;
  if (timeline) console.log(`  ${((started - t0) / 1_000).toFixed(2)} s  publisher started`);
  await sleep(WARMUP_MS);
  const cpu = new CpuMeter({
    service: service.child.pid,
    publisher: publisher.child.pid,
    'nats-server': natsServerPid(nats.port),
    bench: process.pid,
  });
  const { published } = await publisher.done;
  const ended = performance.now();
  const cpuText = cpu.describe();
  polling = false;
  await poller;
  const inWindow = changes.filter((c) => c.atMs >= started + WARMUP_MS && c.atMs <= ended);
  const whilePublishing = changes.filter((c) => c.atMs >= started && c.atMs <= ended);
  const first = inWindow[0];
  const last = inWindow[inWindow.length - 1];
  const perSecond =
    first === undefined || last === undefined || last === first
      ? Number.NaN
      : ((last.ingested - first.ingested) / (last.atMs - first.atMs)) * 1_000;
  // Between refreshes with no tick found not owned (warm-up included): what it ingests while it keeps its slots.
  let ownedTicks = 0;
  let ownedMs = 0;
  for (let i = 1; i < whilePublishing.length; i++) {
    const [a, b] = [whilePublishing[i - 1], whilePublishing[i]] as [(typeof changes)[0], (typeof changes)[0]];
    if (b.notOwned !== a.notOwned) continue;
    ownedTicks += b.ingested - a.ingested;
    ownedMs += b.atMs - a.atMs;
  }
  // The backlog drains, then the counters stop moving: two refreshes alike.
  let after = await service.counters();
  for (;;) {
    await sleep(1_100);
    const now = await service.counters();
    if (
      now.outcomes['received'] === after.outcomes['received'] &&
      now.outcomes['notOwned'] === after.outcomes['notOwned']
    )
      break;
    after = now;
  }
  return {
    perSecond,
    whileOwningPerSecond: ownedMs > 0 ? (ownedTicks / ownedMs) * 1_000 : Number.NaN,
    whileOwningMs: ownedMs,
    published,
    before,
    after,
    cpu: cpuText,
    pollGapMs,
  };
}

interface LatencyFigures {
  published: number;
  reflected: number;
  aggregates: number;
  aggregateBytes: number;
  /** The first aggregate did not pass AggregateV1. */
  invalidAggregate: boolean;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Receipt − the aggregate's own tsInit (its computation time): the computation, the broadcast loop and the wire. */
  computeToReceiptP99Ms: number;
  cpu: string;
}

/**
 * Ticks at a steady rate from this process, tsInit = publish time; each broadcast aggregate reflects, per source,
 * every tick of that stream up to its sources[].tsInit that no earlier aggregate reflected: delay = receipt − tsInit.
 */
async function benchTickToBroadcast(
  nc: NatsConnection,
  nats: NatsServerProcess,
  root: string,
  service: AggregatorProcess,
): Promise<LatencyFigures> {
  const streams = tickStreams(root);
  const streamIndex = new Map(streams.map((s, i) => [`${s.instrument}|${s.source}`, i]));
  const pending = streams.map(() => ({ times: [] as number[], head: 0 }));
  // Only stamped and kept on receipt, decoded after the run: this process's own work must not delay the next receipt.
  const received: { at: number; data: Uint8Array }[] = [];
  const subscription = nc.subscribe(createSubjects(root).all.mdAgg(), {
    callback: (error, msg) => {
      // A copy: the client's read buffer may be reused.
      if (error === null) received.push({ at: nowMicros(), data: msg.data.slice() });
    },
  });
  await nc.flush();
  const cpu = new CpuMeter({
    service: service.child.pid,
    'nats-server': natsServerPid(nats.port),
    'bench (publisher)': process.pid,
  });
  let published = 0;
  let next = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(elapsed, LATENCY_MS) * (LATENCY_RATE / 1_000);
      for (; published < due; published++) {
        const stream = streams[next] as TickStream;
        const at = nowMicros();
        stampTick(stream, microsDigits(at));
        nc.publish(stream.subject, stream.payload);
        (pending[next] as { times: number[] }).times.push(at);
        next = next + 1 === streams.length ? 0 : next + 1;
      }
      if (elapsed >= LATENCY_MS) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await nc.flush();
  await sleep(LATENCY_TAIL_MS);
  const cpuText = cpu.describe();
  subscription.unsubscribe();
  const delays: number[] = [];
  const computeToReceipt: number[] = [];
  let aggregateBytes = 0;
  let invalidAggregate = false;
  const decoder = new TextDecoder();
  for (const { at, data } of received) {
    const aggregate = JSON.parse(decoder.decode(data)) as AggregateV1;
    // Checked once: the shape this bench relies on is the contract's.
    if (computeToReceipt.length === 0) invalidAggregate = !AggregateV1.safeParse(aggregate).success;
    computeToReceipt.push(at - aggregate.tsInit);
    aggregateBytes += data.length;
    for (const source of aggregate.sources) {
      const index = streamIndex.get(`${aggregate.instrument}|${source.source}`);
      if (index === undefined) continue;
      const queue = pending[index] as { times: number[]; head: number };
      while (queue.head < queue.times.length && (queue.times[queue.head] as number) <= source.tsInit) {
        delays.push(at - (queue.times[queue.head] as number));
        queue.head += 1;
      }
    }
  }
  const sorted = Float64Array.from(delays, (micros) => micros / 1_000).sort();
  return {
    published,
    reflected: delays.length,
    aggregates: computeToReceipt.length,
    aggregateBytes,
    invalidAggregate,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
    computeToReceiptP99Ms: percentile(
      Float64Array.from(computeToReceipt, (micros) => micros / 1_000).sort(),
      99,
    ),
    cpu: cpuText,
  };
}

function printIngest(ingest: IngestFigures, bootSeconds: number, service: AggregatorProcess): void {
  const delta = (outcome: string) =>
    (ingest.after.outcomes[outcome] ?? 0) - (ingest.before.outcomes[outcome] ?? 0);
  const paced = ingestRate > 0 ? `, publisher paced at ${count(ingestRate)}/s` : '';
  console.log(
    `${label('aggregator service: ingest from NATS')}${count(ingest.perSecond).padStart(9)} ticks/s` +
      `  (published ${count(ingest.published)}${paced}; received ${count(delta('received'))}, ingested ${count(delta('ingested'))}, ` +
      `refused ${count(delta('refused'))}, not owned ${count(delta('notOwned'))}; cpu ${ingest.cpu}; ` +
      `owned every slot ${bootSeconds.toFixed(1)} s after start)`,
  );
  if (delta('refused') > 0) {
    const reasons = ingest.after.refusals.map((r) => `${r.source} ${r.reason} ${count(r.count)}`).join(', ');
    console.log(`  refused by source and reason: ${reasons || 'none reported'}`);
  }
  if (delta('notOwned') > 0)
    console.log(
      `  a lone instance owns every slot, yet ${count(delta('notOwned'))} ticks found their slot not owned: it let its slots ` +
        `go under load and took them back (${count(delta('statesImported'))} instrument states re-imported); ` +
        (ingest.whileOwningMs > 0
          ? `while it held them: ${count(ingest.whileOwningPerSecond)} ticks/s (over ${(ingest.whileOwningMs / 1_000).toFixed(1)} s)`
          : 'it never held them for a whole refresh interval'),
    );
  const lost = ingest.published - delta('received') - delta('notOwned');
  if (lost > 0)
    console.log(
      `  ${count(lost)} published ticks never reached the service (NATS drops a slow consumer's messages); ` +
        `its last output: ${service.recentOutput().slice(-3).join(' | ') || '(none)'}`,
    );
  if (ingest.pollGapMs > 500)
    console.log(
      `  /metrics answered up to ${ingest.pollGapMs.toFixed(0)} ms apart while flooded: the rate is less exact`,
    );
}

const root = uniqueSubjectRoot();
const background = new CpuMeter({});
await sleep(1_000);
const backgroundShare = background.shares()['rest'] ?? 0;
const nats = await NatsServerProcess.start();
const database = await BenchDatabase.create();
let service: AggregatorProcess | undefined;
let nc: NatsConnection | undefined;
try {
  const sample = tickStreams(root)[0] as TickStream;
  console.log(
    `aggregator bench (node ${process.version}, ${cpus().length} cores, other processes ${(backgroundShare * 100).toFixed(0)}% ` +
      `of a core before the run): ${count(INSTRUMENT_COUNT)} instruments × ${SOURCES.length} sources = ` +
      `${count(STREAM_COUNT)} streams, ${sample.payload.length} B ticks; publisher in its own process, ` +
      `${PUBLISH_MS / 1_000} s per run, the first ${WARMUP_MS / 1_000} s not measured`,
  );
  if (backgroundShare > BUSY_MACHINE_WARNING)
    console.log('  the machine was busy before the run: every figure below is lower than on a quiet machine');
  nc = await connect({ servers: nats.url, name: 'aggregator-bench' });

  const raw = await benchRawNats(nc, nats, root);
  console.log(
    `${label('raw NATS: publisher → bare subscriber')}${count(raw.perSecond).padStart(9)} msg/s` +
      `  (published ${count(raw.published)}, received ${count(raw.received)}; cpu ${raw.cpu})`,
  );

  // The aggregator provisions the MD stream at start; when it captures ticks, the server stores each one too.
  const md = createStreams(root).MD;
  const capturesTicks = md.subjects.includes(createSubjects(root).all.mdTick());
  const jsm = await jetstreamManager(nc);
  await provisionStream(jsm, md);
  const rawStored = await benchRawNats(nc, nats, root);
  await jsm.streams.purge(md.name);
  console.log(
    `${label(`raw NATS, MD stream provisioned (${capturesTicks ? 'stores every tick' : 'no ticks'})`)}` +
      `${count(rawStored.perSecond).padStart(9)} msg/s  (published ${count(rawStored.published)}, ` +
      `received ${count(rawStored.received)}; cpu ${rawStored.cpu})`,
  );

  const inProcess = benchInProcess(root);
  console.log(
    `${label('in process: decode + ingest, tick() per 100 ms')}${count(inProcess.perSecond).padStart(9)} ticks/s` +
      `  (synthetic feed ${count(SYNTHETIC_TICKS_PER_SEC)}/s; tick() of ${count(INSTRUMENT_COUNT)} instruments ` +
      `${inProcess.msPerCompute.toFixed(1)} ms; refused ${count(inProcess.refused)})`,
  );

  const bootStarted = performance.now();
  service = await AggregatorProcess.start({
    natsUrl: nats.url,
    databaseUrl: database.url,
    root,
    nodeArgs: profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    env: serviceEnv,
  });
  await service.waitFor('the aggregator to own every slot', (c) => c.ownedSlots === ALL_SLOTS, 30_000);
  const bootSeconds = (performance.now() - bootStarted) / 1_000;
  if (noTickCapture) {
    const config = (await jsm.streams.info(md.name)).config;
    const subjects = md.subjects.filter((subject) => subject !== createSubjects(root).all.mdTick());
    await jsm.streams.update(md.name, { ...config, subjects });
    console.log(`  --no-tick-capture: the MD stream now captures ${subjects.join(', ')}`);
  }

  // The delay first, at a moderate rate on a settled service; the flood last, so its aftermath touches nothing.
  await sleep(1_000);
  const latency = await benchTickToBroadcast(nc, nats, root, service);
  console.log(
    `${label(`tick→broadcast at ${count(LATENCY_RATE)} ticks/s for ${LATENCY_MS / 1_000} s`)}` +
      `p50 ${latency.p50Ms.toFixed(0)} ms  p99 ${latency.p99Ms.toFixed(0)} ms  max ${latency.maxMs.toFixed(0)} ms` +
      `  (${count(latency.reflected)} of ${count(latency.published)} ticks reflected; ${count(latency.aggregates)} aggregates ` +
      `of ${count(latency.aggregateBytes / Math.max(1, latency.aggregates))} B, computation→receipt p99 ` +
      `${latency.computeToReceiptP99Ms.toFixed(0)} ms; cpu ${latency.cpu})`,
  );
  if (latency.invalidAggregate) console.log('  the first aggregate received does not pass AggregateV1');
  // What the periodic state save writes per instrument at that rate (its tick-rate window goes with it).
  const states = await new Kvm(nc).open(createBuckets(root).AGGREGATION_STATE);
  const saved = await states.get((tickStreams(root)[0] as TickStream).instrument);
  console.log(
    `${label('saved state of one instrument (KV) at that rate')}` +
      (saved === null
        ? '     none  (not saved yet: TM_AGG_STATE_SAVE is longer than this run so far)'
        : `${count(saved.length).padStart(9)} B  (every instrument, every TM_AGG_STATE_SAVE, default 5 s)`),
  );
  await jsm.streams.purge(md.name);

  const ingest = await benchServiceIngest(service, nats, root);
  printIngest(ingest, bootSeconds, service);

  // Two ceilings: NATS delivering to a subscriber with the platform's MD stream storing every tick (how the
  // aggregator runs), and bare NATS with no stream at all (the stricter one); the verdict is given for both.
  const verdict = (name: string, ratio: number) =>
    console.log(
      `ingest / ${name}: ${ratio.toFixed(2)} (target ≥ ${INGEST_TARGET_RATIO}): ${ratio >= INGEST_TARGET_RATIO ? 'met' : 'NOT met'}`,
    );
  if (!noTickCapture)
    verdict(
      'raw NATS, same server setup (MD stream stores every tick)',
      ingest.perSecond / rawStored.perSecond,
    );
  verdict('raw NATS, bare (no stream)', ingest.perSecond / raw.perSecond);
  console.log(
    `p99 tick→broadcast: ${latency.p99Ms.toFixed(0)} ms (target ≤ ${P99_TARGET_MS}): ${latency.p99Ms <= P99_TARGET_MS ? 'met' : 'NOT met'}`,
  );
} finally {
  const code = await service?.stop();
  if (code !== undefined && code !== 0)
    console.log(
      `the aggregator exited with ${code}; its last output:\n${service?.recentOutput().join('\n')}`,
    );
  await nc?.close().catch(() => undefined);
  await nats.dispose();
  await database.drop();
}
process.exit(0);
