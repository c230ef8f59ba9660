// bench/persister: sustained rows/s from JetStream into PostgreSQL through the persister as built, against
// a bare COPY of the same rows into the same table measured in the same run, and the persister's peak
// memory. Targets (issue 6): at least 70% of the bare COPY rate, peak memory under 512 MB.
//
//   npm run build && npm run bench:persister          (BENCH_ROWS=500000 by default, a multiple of 5,000)
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { createBuckets, createStreams, createSubjects, encodePayload, type TickV1 } from '@tm/contracts';
import { NatsLink, provisionStream } from '@tm/messaging';
import { instrumentSlot } from '@tm/sharding';
import { freePort, uniqueSubjectRoot } from '@tm/testing';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BenchDatabase } from '../shared/bench-database.js';
import { CpuMeter, natsServerPid } from '../shared/cpu-meter.js';
import { parseMetrics } from '../shared/prometheus-text.js';

const PERSISTER_MAIN = fileURLToPath(new URL('../../../services/persister/dist/main.js', import.meta.url));
const NATS_URL = process.env.TM_NATS_URL ?? 'nats://127.0.0.1:4222';
/** The product's batch (PRODUCT_DEFAULTS.persistBatchRows); the run is a whole number of them. */
const BATCH_ROWS = 5_000;
const ROWS = Math.max(
  BATCH_ROWS,
  Math.round(Number(process.env.BENCH_ROWS ?? 500_000) / BATCH_ROWS) * BATCH_ROWS,
);
const INSTRUMENTS = 200;
/** As `npm start` runs the persister (NODE_ARGS in deploy/local/fleet-plan.mjs); BENCH_NODE_ARGS to try others. */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean);
const TARGET_RATIO = 0.7;
const TARGET_PEAK_BYTES = 512 * 1_024 * 1_024;
const DAY_MICROS = 86_400_000_000;
/** Today at 00:00 UTC, in microseconds: every row falls on this one day (one partition). */
const BASE_MICROS = Math.floor((Date.now() * 1_000) / DAY_MICROS) * DAY_MICROS;

function tickOf(n: number): TickV1 {
  const instrument = `B${String(n % INSTRUMENTS).padStart(3, '0')}/USDT`;
  const tsEvent = BASE_MICROS + n * 50;
  return {
    v: 1,
    instrument,
    source: 'paper',
    bid: 100 + (n % 97) / 100,
    bidSize: 1.25,
    ask: 101 + (n % 89) / 100,
    askSize: 2.5,
    tsEvent,
    tsInit: tsEvent + 7,
  };
}

const isoMicros = (micros: number) =>
  `${new Date(Math.floor(micros / 1_000)).toISOString().slice(0, 23)}${String(micros % 1_000).padStart(3, '0')}Z`;

/** The same row as the persister writes it, as the bench's own COPY text. */
function copyLineOf(t: TickV1): string {
  return `${instrumentSlot(t.instrument)}\t${t.instrument}\t${t.source}\t${t.bid}\t${t.bidSize}\t${t.ask}\t${t.askSize}\t${isoMicros(t.tsEvent)}\t${isoMicros(t.tsInit)}`;
}

/** PostgreSQL's processes on this machine (the server and its backends), for the CPU meter. */
function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Peak resident memory of a process (VmHWM), in bytes. */
function peakResidentBytes(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) * 1_024;
  } catch {
    return undefined;
  }
}

class PersisterProcess {
  private readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    private readonly port: number,
  ) {
    const keep = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(
    databaseUrl: string,
    root: string,
    env: Record<string, string> = {},
  ): Promise<PersisterProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [...NODE_ARGS, PERSISTER_MAIN], {
      env: {
        ...process.env,
        TM_NATS_URL: NATS_URL,
        TM_DATABASE_URL: databaseUrl,
        TM_SUBJECT_ROOT: root,
        TM_INSTANCE_ID: 'persister-bench',
        TM_HTTP_PORT: String(port),
        TM_HTTP_HOST: '127.0.0.1',
        TM_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = new PersisterProcess(child, port);
    await started.waitFor('ready', async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, 60_000);
    return started;
  }

  async tickRowsCommitted(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
    return parseMetrics(text)
      .filter((s) => s.name === 'tm_persister_rows_total' && s.labels['family'] === 'tick')
      .reduce((sum, s) => sum + s.value, 0);
  }

  async waitFor(what: string, accept: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      try {
        if (await accept()) return;
      } catch {
        // not answering yet
      }
      if (this.child.exitCode !== null || performance.now() > deadline)
        throw new Error(`persister never ${what}:\n${this.output.slice(-30).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** The bare baseline: the same rows, COPY in 5,000-row batches, each its own transaction, into the same table. */
async function bareCopy(databaseUrl: string, lines: readonly string[]): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('TRUNCATE persister.ticks');
    const started = performance.now();
    for (let at = 0; at < lines.length; at += BATCH_ROWS) {
      await client.query('BEGIN');
      const copy = client.query(
        copyFrom(
          'COPY persister.ticks (slot, instrument, source, bid, bid_size, ask, ask_size, ts_event, ts_init) FROM STDIN',
        ),
      );
      await pipeline(Readable.from([`${lines.slice(at, at + BATCH_ROWS).join('\n')}\n`]), copy);
      await client.query('COMMIT');
    }
    const rate = lines.length / ((performance.now() - started) / 1_000);
    await client.query('TRUNCATE persister.ticks');
    await client.query('VACUUM ANALYZE persister.ticks');
    return rate;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const database = await BenchDatabase.create();
  const root = uniqueSubjectRoot();
  const subjects = createSubjects(root);
  const streams = createStreams(root);
  const link = await NatsLink.connect({
    servers: [NATS_URL],
    name: 'persister-bench',
    pingIntervalMs: 10_000,
    maxPingOut: 3,
    reconnectWaitMs: 500,
    reconnectJitterMs: 100,
  });
  const jsm = await jetstreamManager(link.connection);
  let persister: PersisterProcess | undefined;
  try {
    console.log(
      `persister bench: ${ROWS.toLocaleString('en')} ticks over ${INSTRUMENTS} instruments, batches of ${BATCH_ROWS}; persister run as node ${NODE_ARGS.join(' ')}`,
    );
    // A first start makes the schema (migrations) and the day's partition; it then stops before anything is timed.
    await provisionStream(jsm, streams.MD);
    const warmUp = tickOf(ROWS);
    await link.connection.publish(subjects.mdTick(instrumentSlot(warmUp.instrument)), encodePayload(warmUp));
    const warming = await PersisterProcess.start(database.url, root, { TM_PERSIST_FLUSH: '100ms' });
    await warming.waitFor(
      'wrote the warm-up row',
      async () => (await warming.tickRowsCommitted()) === 1,
      60_000,
    );
    await warming.stop();
    await jsm.streams.purge(streams.MD.name);

    const ticks = Array.from({ length: ROWS }, (_, n) => tickOf(n));
    const lines = ticks.map(copyLineOf);
    const copyRate = await bareCopy(database.url, lines);
    console.log(`bare COPY into persister.ticks:      ${Math.round(copyRate).toLocaleString('en')} rows/s`);

    const publishStarted = performance.now();
    for (let n = 0; n < ROWS; n++) {
      const t = ticks[n]!;
      link.connection.publish(subjects.mdTick(instrumentSlot(t.instrument)), encodePayload(t));
      if (n % 5_000 === 4_999) await link.connection.flush();
    }
    await link.connection.flush();
    while ((await jsm.streams.info(streams.MD.name)).state.messages < ROWS)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const publishRate = ROWS / ((performance.now() - publishStarted) / 1_000);
    console.log(
      `JetStream backlog loaded:            ${Math.round(publishRate).toLocaleString('en')} msg/s (not timed below)`,
    );

    persister = await PersisterProcess.start(database.url, root);
    const pid = persister.child.pid!;
    // Started at the first committed batch, when the writer's PostgreSQL backends exist.
    let meter: CpuMeter | undefined;
    let firstAt = 0;
    let firstRows = 0;
    let lastRows = 0;
    await persister.waitFor(
      'wrote every row',
      async () => {
        const rows = await persister!.tickRowsCommitted();
        if (rows > 0 && firstAt === 0) {
          [firstAt, firstRows] = [performance.now(), rows];
          meter = new CpuMeter({
            persister: pid,
            'nats-server': natsServerPid(4222),
            postgres: postgresPids(),
          });
        }
        lastRows = rows;
        return rows >= ROWS;
      },
      600_000,
    );
    const elapsed = (performance.now() - firstAt) / 1_000;
    const rate = (lastRows - firstRows) / elapsed;
    const peak = peakResidentBytes(pid);
    const cpu = meter?.describe() ?? 'n/a';
    const counter = new pg.Client({ connectionString: database.url });
    await counter.connect();
    const counted = Number(
      (await counter.query<{ n: string }>('SELECT count(*) AS n FROM persister.ticks')).rows[0]!.n,
    );
    await counter.end();

    const ratio = rate / copyRate;
    console.log(
      `persister, JetStream → PostgreSQL:   ${Math.round(rate).toLocaleString('en')} rows/s sustained (first batch to last)`,
    );
    console.log(
      `rows in persister.ticks:             ${counted.toLocaleString('en')} of ${ROWS.toLocaleString('en')}`,
    );
    console.log(
      `ratio persister ÷ bare COPY:         ${ratio.toFixed(2)}  (target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`,
    );
    console.log(
      `persister peak memory (VmHWM):       ${peak === undefined ? 'n/a' : `${(peak / 1_048_576).toFixed(0)} MB`}  (target < 512 MB: ${peak !== undefined && peak < TARGET_PEAK_BYTES ? 'met' : 'NOT met'})`,
    );
    console.log(`CPU while writing (100% = one core): ${cpu}`);
  } finally {
    await persister?.stop();
    for (const spec of Object.values(streams)) await jsm.streams.delete(spec.name).catch(() => false);
    for (const bucket of Object.values(createBuckets(root)))
      await jsm.streams.delete(`KV_${bucket}`).catch(() => false);
    await link.close();
    await database.drop();
  }
}

await main();
