// bench/flows: market buys on the paper venue through the flow engine as built (venue-connectors, the
// aggregator and flow-engine as processes, real NATS and PostgreSQL): flows/s end to end, and p50/p99 of
// the flow engine's step commits (every attempt, result and order intent made durable). Baselines measured
// in the same run: the bare venue RPC (create-order straight to venue-connectors, the ceiling a flow's
// order path cannot pass) and a bare PostgreSQL commit (one-row INSERT per transaction).
// Targets (issue 7): at least 500 flows/s; p99 step commit at most 10 ms.
//
// Two runs: flows/s with BENCH_CONCURRENCY in flight (the machine saturated, every latency inflated by
// queueing), then a fresh flow engine paced at BENCH_PACED_RATE flows/s for 20 s, whose step-commit
// quantiles are the figure against the 10 ms target.
//
//   npm run build && npm run bench:flows     (BENCH_FLOWS=3000, BENCH_CONCURRENCY=64, BENCH_PACED_RATE=50)
import { readdirSync, readFileSync } from 'node:fs';
import { createSubjects, encodePayload, type Subjects } from '@tm/contracts';
import { NatsLink } from '@tm/messaging';
import { accountSlot, instrumentSlot } from '@tm/sharding';
import { uniqueSubjectRoot } from '@tm/testing';
import pg from 'pg';
import { BenchDatabase } from '../shared/bench-database.js';
import { dropRunStreams } from '../shared/run-streams.js';
import { CpuMeter, natsServerPid } from '../shared/cpu-meter.js';
import { parseMetrics } from '../shared/prometheus-text.js';
import { ServiceProcess } from '../shared/service-process.js';

const NATS_URL = process.env.TM_NATS_URL ?? 'nats://127.0.0.1:4222';
const FLOWS = Number(process.env.BENCH_FLOWS ?? 3_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const WARM_UP = 200;
/** The paced run: a load well inside what the machine carries, where step-commit latency is the engine's. */
const PACED_PER_SEC = Number(process.env.BENCH_PACED_RATE ?? 50);
const PACED_FLOWS = PACED_PER_SEC * 20;
const ACCOUNT = 'paper-main';
const TARGET_FLOWS_PER_SEC = 500;
const TARGET_P99_MS = 10;
const decoder = new TextDecoder();

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Runs `count` jobs, `concurrency` at a time; resolves with each job's latency in ms. */
async function pool(
  count: number,
  concurrency: number,
  job: (n: number) => Promise<void>,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        const started = performance.now();
        await job(n);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

/** Starts job n at n / perSecond seconds, whatever the earlier ones are doing; resolves with each latency in ms. */
async function paced(count: number, perSecond: number, job: (n: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let n = 0; n < count; n++) {
    const due = started + (n * 1_000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const began = performance.now();
    running.push(job(n).then(() => void latencies.push(performance.now() - began)));
  }
  await Promise.all(running);
  return latencies.sort((a, b) => a - b);
}

/** The bare venue path: create-order on venue-connectors, awaiting each answer. */
async function bareOrders(link: NatsLink, subjects: Subjects, count: number): Promise<number> {
  const subject = subjects.venueRpc('paper', ACCOUNT, 'create-order');
  const runId = `bench${Date.now().toString(36)}`;
  const started = performance.now();
  await pool(count, CONCURRENCY, async (n) => {
    const request = {
      v: 1,
      origin: { flowId: runId, step: n, child: 0 },
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'market',
      amount: '0.0001',
    };
    const reply = await link.connection.request(subject, encodePayload(request), { timeout: 60_000 });
    if (!decoder.decode(reply.data).includes('"ok":true'))
      throw new Error(`order refused: ${decoder.decode(reply.data)}`);
  });
  return count / ((performance.now() - started) / 1_000);
}

/** The bare commit: one-row INSERT transactions at the flow engine's commit concurrency. */
async function bareCommits(databaseUrl: string, count: number, concurrency: number): Promise<number[]> {
  const client = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
  try {
    await client.query('CREATE TABLE bench_commit (id bigserial PRIMARY KEY, payload jsonb NOT NULL)');
    return await pool(count, concurrency, async () => {
      await client.query('INSERT INTO bench_commit (payload) VALUES ($1)', ['{"type":"StepSucceeded"}']);
    });
  } finally {
    await client.end();
  }
}

interface FlowRun {
  flowsPerSec: number;
  replyLatencies: number[];
}

type Pacing = { concurrency: number } | { perSecond: number };

/**
 * `count` market-buy flows, timed until every one has ended: `concurrency` in flight at once (as fast as
 * the fleet goes), or started `perSecond` on a fixed schedule (a load the machine can carry).
 */
async function flows(
  link: NatsLink,
  subjects: Subjects,
  count: number,
  label: string,
  pacing: Pacing = { concurrency: CONCURRENCY },
): Promise<FlowRun> {
  const ended = new Set<string>();
  const failed: string[] = [];
  const subscription = link.connection.subscribe(subjects.flowProgress(accountSlot(ACCOUNT)), {
    callback: (_error, msg) => {
      const progress = JSON.parse(decoder.decode(msg.data)) as {
        type: string;
        flowId: string;
        detail: unknown;
      };
      if (progress.type === 'FlowSucceeded') ended.add(progress.flowId);
      else if (progress.type === 'FlowFailed' || progress.type === 'FlowRefused') {
        ended.add(progress.flowId);
        failed.push(JSON.stringify(progress.detail));
      }
    },
  });
  const subject = subjects.flowCmd(accountSlot(ACCOUNT));
  const started = performance.now();
  const start = async (n: number) => {
    const command = {
      v: 1,
      type: 'start',
      idempotencyKey: `${label}-${subjects.root}-${n}`,
      account: ACCOUNT,
      verb: 'buy',
      input: { venue: 'paper', instrument: 'BTC/USDT', kind: 'market', amount: '0.0001' },
      requester: { kind: 'system', id: 'bench' },
    };
    const reply = await link.connection.request(subject, encodePayload(command), { timeout: 60_000 });
    if (!decoder.decode(reply.data).includes('"ok":true'))
      throw new Error(`start refused: ${decoder.decode(reply.data)}`);
  };
  const replyLatencies =
    'concurrency' in pacing
      ? await pool(count, pacing.concurrency, start)
      : await paced(count, pacing.perSecond, start);
  while (ended.size < count) {
    if (performance.now() - started > 600_000) throw new Error(`only ${ended.size} of ${count} flows ended`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const elapsed = (performance.now() - started) / 1_000;
  subscription.unsubscribe();
  if (failed.length > 0) throw new Error(`${failed.length} flows did not succeed, e.g. ${failed[0]}`);
  return { flowsPerSec: count / elapsed, replyLatencies };
}

function metricQuantiles(text: string, name: string, scale: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sample of parseMetrics(text))
    if (sample.name === name && sample.labels['quantile'])
      out[sample.labels['quantile']] = sample.value * scale;
  return out;
}

/** Prints the engine's step-commit and statement quantiles; returns the step-commit p99 (ms). */
function report(indent: string, metrics: string, bareP99?: number): number {
  const commit = metricQuantiles(metrics, 'tm_flow_commit_seconds', 1_000);
  const statement = metricQuantiles(metrics, 'tm_flow_commit_statement_seconds', 1_000);
  const batch = metricQuantiles(metrics, 'tm_flow_commit_batch_commits', 1);
  const p99 = commit['0.99'] ?? NaN;
  const ratio =
    bareP99 === undefined ? '' : `; ratio p99 to the bare commit p99 ${(p99 / bareP99).toFixed(2)}`;
  console.log(
    `${indent}step commit:                          p50 ${commit['0.5']?.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms${ratio}`,
  );
  console.log(
    `${indent}group-commit statements:              p50 ${statement['0.5']?.toFixed(2)} ms, p99 ${statement['0.99']?.toFixed(2)} ms, ${Math.round(batch['0.5'] ?? 0)} commits each (p99 ${Math.round(batch['0.99'] ?? 0)})`,
  );
  return p99;
}

/** Until a flow goes through: the engine owns the account's slot and the market answers. */
async function untilAnswering(link: NatsLink, subjects: Subjects, label: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await flows(link, subjects, 1, `${label}-${attempt}`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
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

async function main(): Promise<void> {
  const database = await BenchDatabase.create();
  const root = uniqueSubjectRoot();
  const subjects = createSubjects(root);
  const link = await NatsLink.connect({
    servers: [NATS_URL],
    name: 'flows-bench',
    pingIntervalMs: 10_000,
    maxPingOut: 3,
    reconnectWaitMs: 500,
    reconnectJitterMs: 100,
  });
  const services: ServiceProcess[] = [];
  try {
    const env = { TM_DATABASE_URL: database.url, TM_SUBJECT_ROOT: root };
    console.log(
      `flows bench: ${FLOWS} market buys of 0.0001 BTC/USDT on the paper venue, ${CONCURRENCY} started at a time`,
    );
    // The execution budget is the venue's rule, not the engine's: lifted so the bench measures the engine.
    services.push(await ServiceProcess.start('venue-connectors', { ...env, TM_VENUE_EXEC_RATE: '1000000' }));
    services.push(await ServiceProcess.start('aggregator', env));
    let engine = await ServiceProcess.start('flow-engine', { ...env, TM_INSTANCE_ID: 'flow-engine-bench-1' });
    services.push(engine);
    const [venueConnectors] = services;
    // Wait until the aggregator answers for the instrument and the engine owns the account's slot.
    for (;;) {
      try {
        const reply = await link.connection.request(
          subjects.mdSnapshot(instrumentSlot('BTC/USDT')),
          encodePayload({ v: 1, instrument: 'BTC/USDT' }),
          { timeout: 1_000 },
        );
        if (decoder.decode(reply.data).includes('"ok":true')) break;
      } catch {
        // not yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await untilAnswering(link, subjects, 'probe-1');
    await flows(link, subjects, WARM_UP, 'warm');

    const bareOrderRate = await bareOrders(link, subjects, FLOWS);
    console.log(`bare venue RPC (create-order, market):  ${Math.round(bareOrderRate)} orders/s`);
    const lanes = 2;
    const commits = await bareCommits(database.url, FLOWS, lanes);
    console.log(
      `bare PostgreSQL commit (${lanes} at a time):  p50 ${percentile(commits, 0.5).toFixed(2)} ms, p99 ${percentile(commits, 0.99).toFixed(2)} ms`,
    );

    const meter = new CpuMeter({
      'flow-engine': engine.child.pid,
      'venue-connectors': venueConnectors!.child.pid,
      'nats-server': natsServerPid(4222),
      postgres: postgresPids(),
    });
    const run = await flows(link, subjects, FLOWS, 'run');
    const cpu = meter.describe();
    console.log(
      `saturated: ${CONCURRENCY} in flight:          ${Math.round(run.flowsPerSec)} flows/s, ratio to the bare venue RPC ${(run.flowsPerSec / bareOrderRate).toFixed(2)}`,
    );
    console.log(
      `  start reply (after the check):        p50 ${percentile(run.replyLatencies, 0.5).toFixed(1)} ms, p99 ${percentile(run.replyLatencies, 0.99).toFixed(1)} ms`,
    );
    report('  ', await engine.metrics());
    console.log(`  CPU (100% = one core):                ${cpu}`);

    // A fresh engine, so its quantiles cover the paced run alone.
    await engine.stop();
    engine = await ServiceProcess.start('flow-engine', { ...env, TM_INSTANCE_ID: 'flow-engine-bench-2' });
    services.push(engine);
    await untilAnswering(link, subjects, 'probe-2');
    const pacedRun = await flows(link, subjects, PACED_FLOWS, 'paced', { perSecond: PACED_PER_SEC });
    console.log(
      `paced: ${PACED_PER_SEC} flows/s offered:          ${Math.round(pacedRun.flowsPerSec)} flows/s; start reply p50 ${percentile(pacedRun.replyLatencies, 0.5).toFixed(1)} ms, p99 ${percentile(pacedRun.replyLatencies, 0.99).toFixed(1)} ms`,
    );
    const p99 = report('  ', await engine.metrics(), percentile(commits, 0.99));
    console.log(
      `targets: >= ${TARGET_FLOWS_PER_SEC} flows/s: ${run.flowsPerSec >= TARGET_FLOWS_PER_SEC ? 'met' : 'NOT met'}; p99 step commit <= ${TARGET_P99_MS} ms (paced): ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}`,
    );
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await dropRunStreams(link, root);
    await link.close();
    await database.drop();
  }
}

await main();
