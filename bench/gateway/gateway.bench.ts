// Deliveries per second, NATS publish → client receipt delay and resident memory per connection of the
// ws-gateway (services/ws-gateway/dist/main.js) at 1,000 and 10,000 socket.io connections, beside a bare
// socket.io broadcast server (bare-broadcast-server.ts) measured the same way in the same run. Run after
// the build: npm run bench:gateway (never part of the tests). Options: `--offered <n>` deliveries/s offered
// at every connection count (default 50,000: twice the target); `--seconds <n>` measured per run;
// `--connections 1000,10000`; `--profile-gateway <dir>` writes the gateway's .cpuprofile there.
// Every socket watches one trade topic; the bench publishes its numbered events (PushEventV1, as the
// aggregator's sequencer does) to the topic's push subject at offered ÷ connections trades/s, each carrying its publish time (tsEvent) and run index (tradeId), so every
// receiver counts what it got, what it missed and how late. The sockets live in CLIENT_PROCESSES child
// processes (load-clients.ts) on the same 2 cores: the figures include the load generator's share.
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsServerProcess, uniqueSubjectRoot } from '@tm/testing';
import { io } from 'socket.io-client';
import {
  DelayHistogram,
  type ClientCommand,
  type ClientReply,
  type ClientReport,
  type ServerKind,
} from './load-protocol.js';
import { BenchDatabase } from '../shared/bench-database.js';
import { CpuMeter, natsServerPid, residentBytes } from '../shared/cpu-meter.js';
import { PushTradeFeed } from './push-trade-feed.js';
import { ServerProcess, sleep } from './server-process.js';

const CLIENTS_MAIN = fileURLToPath(new URL('./load-clients.js', import.meta.url));
const INSTRUMENT = 'BTC/USDT';
const SOURCE = 'binance';
/** One event per trade per socket, as the bare server's one message per trade per socket. */
const TOPIC = `trades/${SOURCE}/${INSTRUMENT}`;
const CLIENT_PROCESSES = 2;
/** Before measuring: the JIT, the first pushes, socket buffers. */
const WARMUP_MS = 2_000;
/** The server's resident memory is read this long after the sockets settle. */
const SETTLE_MS = 1_500;
/** After the last publish: wait this long at most for the rest to arrive. */
const DRAIN_MAX_MS = 10_000;
const DRAIN_QUIET_MS = 1_500;
const RSS_SAMPLE_MS = 100;
/** Other processes above this share of one core before the run make every figure here worse than it should be. */
const BUSY_MACHINE_WARNING = 0.15;
/** Only the last figure is judged against the targets. */
const TARGET_CONNECTIONS = 10_000;
const TARGET_DELIVERIES_PER_SEC = 25_000;
const TARGET_P99_MS = 200;
const TARGET_KB_PER_CONNECTION = 20;
/** Sockets each side needs beyond the connections: NATS, PostgreSQL, stdio, the event loop. */
const SPARE_FDS = 200;

/** Capacity: deliveries/s offered far above what either server can send, counted after FLOOD_SKIP_MS. */
const FLOOD_OFFERED = 500_000;
const FLOOD_MS = 5_000;
const FLOOD_SKIP_MS = 1_500;
const CLOSE_GRACE_MS = 5_000;

const offered = Number(argValue('--offered') ?? TARGET_DELIVERIES_PER_SEC);
const measureMs = Number(argValue('--seconds') ?? 8) * 1_000;
const connectionCounts = (argValue('--connections') ?? '1000,10000').split(',').map(Number);
const profileDir = argValue('--profile-gateway');

function argValue(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const count = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : 'n/a');
const kb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1_024).toFixed(1)} KB` : 'n/a');

/** `ulimit -n` of this process, which every child inherits. */
function openFileLimit(): number {
  try {
    const { readFileSync } = process.getBuiltinModule('node:fs');
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return Number(line?.split(/\s+/)[3] ?? Number.POSITIVE_INFINITY);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

interface RunFigures {
  kind: ServerKind;
  connections: number;
  tradesPerSec: number;
  published: number;
  report: Omit<ClientReport, 'delays'>;
  delays: DelayHistogram;
  deliveriesPerSec: number;
  idleRss: number;
  watchingRss: number;
  /** Deliveries/s while flooded (FLOOD_OFFERED), and who used the CPU then. */
  capacityPerSec: number;
  capacityCpu: string;
  /** The highest RSS sampled while the measured trades flowed and drained. */
  peakRss: number;
  connectMs: number;
  cpu: string;
}

/** A load-client process, spoken to over IPC. */
class LoadClients {
  private readonly waiting: ((reply: ClientReply) => void)[] = [];
  private readonly exited: Promise<never>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: ClientReply) => this.waiting.shift()?.(reply));
    this.exited = new Promise((_, reject) =>
      child.once('exit', (code) => reject(new Error(`a load-client process exited with ${code}`))),
    );
    this.exited.catch(() => undefined);
  }

  static start(): LoadClients {
    return new LoadClients(fork(CLIENTS_MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  /** Sends a command and resolves with its one reply. */
  ask<T extends ClientReply['type']>(
    command: ClientCommand,
    expect: T,
  ): Promise<Extract<ClientReply, { type: T }>> {
    const answer = new Promise<ClientReply>((resolve) => this.waiting.push(resolve));
    this.child.send(command);
    return Promise.race([answer, this.exited]).then((reply) => {
      if (reply.type !== expect)
        throw new Error(`a load-client process answered ${reply.type}, not ${expect}`);
      return reply as Extract<ClientReply, { type: T }>;
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    // A flooded process may take a while to read the command; it is killed after CLOSE_GRACE_MS.
    await Promise.race([this.ask({ type: 'close' }, 'closed').catch(() => undefined), sleep(CLOSE_GRACE_MS)]);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await this.exited.catch(() => undefined);
    clearTimeout(timer);
  }
}

/** Publishes `total` trades of `runId` at `perSec`, each stamped with the time it leaves. */
async function publish(
  nc: NatsConnection,
  feed: PushTradeFeed,
  runId: string,
  perSec: number,
  total: number,
): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const dueIn = started + (i * 1_000) / perSec - performance.now();
    if (dueIn > 0) await sleep(dueIn);
    feed.publish(runId, i);
  }
  await nc.flush();
}

/** The gateway learns a topic from its first trade: one socket watches and waits for it before the load connects. */
async function primeGateway(server: ServerProcess, token: string, feed: PushTradeFeed) {
  const socket = io(server.url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  await socket.timeout(10_000).emitWithAck('watch', { patterns: [TOPIC] });
  const pushed = new Promise<void>((resolve) => socket.once('push', () => resolve()));
  feed.publish('prime', 0);
  await Promise.race([
    pushed,
    sleep(10_000).then(() => {
      throw new Error('the gateway pushed nothing for the priming trade');
    }),
  ]);
  return socket;
}

/** Sums the clients' counts of the current run, each read with its own clock. */
function snapshot(clients: LoadClients[]): Promise<ClientReport[]> {
  return Promise.all(clients.map((c) => c.ask({ type: 'report', published: 0 }, 'report')));
}

/**
 * Deliveries/s at saturation: trades at FLOOD_OFFERED ÷ connections per second, receipts counted between two
 * snapshots once the backlog has built up (each client process's own clock, so a busy IPC costs nothing).
 */
async function flood(
  nc: NatsConnection,
  feed: PushTradeFeed,
  runId: string,
  connections: number,
  clients: LoadClients[],
  server: ServerProcess,
  nats: NatsServerProcess,
): Promise<{ perSec: number; cpu: string }> {
  await Promise.all(clients.map((c) => c.ask({ type: 'measure', runId }, 'measuring')));
  const perSec = FLOOD_OFFERED / connections;
  const flooding = publish(nc, feed, runId, perSec, Math.round((perSec * FLOOD_MS) / 1_000));
  await sleep(FLOOD_SKIP_MS);
  const before = await snapshot(clients);
  const cpu = new CpuMeter({
    server: [server.pid],
    clients: clients.map((c) => c.child.pid),
    'nats-server': [natsServerPid(nats.port)],
    bench: [process.pid],
  });
  await flooding;
  const after = await snapshot(clients);
  const cpuText = cpu.describe();
  const rate = after.reduce((sum, a, i) => {
    const b = before[i] as ClientReport;
    return sum + ((a.received - b.received) / Math.max(1, a.at - b.at)) * 1_000;
  }, 0);
  return { perSec: rate, cpu: cpuText };
}

async function measure(
  kind: ServerKind,
  connections: number,
  nats: NatsServerProcess,
  nc: NatsConnection,
  database: BenchDatabase,
): Promise<RunFigures> {
  const root = uniqueSubjectRoot();
  const feed = new PushTradeFeed(nc, root, { stream: 'trades', source: SOURCE, key: INSTRUMENT });
  const tradesPerSec = offered / connections;
  const server = await ServerProcess.start({
    kind,
    natsUrl: nats.url,
    root,
    tradeSubject: feed.subject,
    databaseUrl: database.url,
    nodeArgs:
      kind === 'gateway' && profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  const clients: LoadClients[] = [];
  try {
    const token = await server.login();
    const primer = kind === 'gateway' ? await primeGateway(server, token, feed) : undefined;
    await sleep(SETTLE_MS);
    const idleRss = residentBytes(server.pid) ?? Number.NaN;

    const connectStarted = performance.now();
    for (let p = 0; p < CLIENT_PROCESSES; p++) clients.push(LoadClients.start());
    const shares = clients.map(
      (_, p) => Math.floor(connections / CLIENT_PROCESSES) + (p < connections % CLIENT_PROCESSES ? 1 : 0),
    );
    const connected = await Promise.all(
      clients.map((c, p) =>
        c.ask(
          {
            type: 'connect',
            kind,
            url: server.url,
            count: shares[p] as number,
            token,
            pattern: TOPIC,
            topic: TOPIC,
          },
          'connected',
        ),
      ),
    );
    const connectMs = performance.now() - connectStarted;
    const failed = connected.reduce((n, c) => n + c.failed, 0);
    if (failed > 0)
      console.log(
        `  ${kind}: ${count(failed)} of ${count(connections)} sockets failed to connect or watch ` +
          `(first: ${connected.find((c) => c.firstError)?.firstError})`,
      );
    primer?.close();
    await sleep(SETTLE_MS);
    const watchingRss = residentBytes(server.pid) ?? Number.NaN;

    await publish(nc, feed, `${root}w`, tradesPerSec, Math.ceil((tradesPerSec * WARMUP_MS) / 1_000));
    await sleep(500);
    const runId = `${root}m`;
    await Promise.all(clients.map((c) => c.ask({ type: 'measure', runId }, 'measuring')));
    const total = Math.max(1, Math.round((tradesPerSec * measureMs) / 1_000));
    const cpu = new CpuMeter({
      server: [server.pid],
      clients: clients.map((c) => c.child.pid),
      'nats-server': [natsServerPid(nats.port)],
      bench: [process.pid],
    });
    let peakRss = watchingRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, residentBytes(server.pid) ?? 0);
    }, RSS_SAMPLE_MS);
    await publish(nc, feed, runId, tradesPerSec, total);
    const cpuText = cpu.describe();

    // Drained: every open socket has every trade, or nothing more arrived for a while.
    let reports: ClientReport[] = [];
    const drainDeadline = performance.now() + DRAIN_MAX_MS;
    let lastReceived = -1;
    let quietSince = performance.now();
    for (;;) {
      reports = await Promise.all(clients.map((c) => c.ask({ type: 'report', published: total }, 'report')));
      const received = reports.reduce((n, r) => n + r.received, 0);
      const expected = reports.reduce((n, r) => n + r.sockets, 0) * total;
      if (received >= expected || performance.now() > drainDeadline) break;
      if (received !== lastReceived) [lastReceived, quietSince] = [received, performance.now()];
      else if (performance.now() - quietSince > DRAIN_QUIET_MS) break;
      await sleep(250);
    }
    clearInterval(sampler);
    peakRss = Math.max(peakRss, residentBytes(server.pid) ?? 0);
    const capacity = await flood(nc, feed, `${root}f`, connections, clients, server, nats);

    const delays = new DelayHistogram();
    const report: Omit<ClientReport, 'delays'> = {
      at: 0,
      sockets: 0,
      received: 0,
      missing: 0,
      outOfOrder: 0,
      messages: 0,
      discontinuities: 0,
      disconnected: 0,
      firstReceiptAt: Number.POSITIVE_INFINITY,
      lastReceiptAt: 0,
    };
    for (const r of reports) {
      delays.add(r.delays);
      report.sockets += r.sockets;
      report.received += r.received;
      report.missing += r.missing;
      report.outOfOrder += r.outOfOrder;
      report.messages += r.messages;
      report.discontinuities += r.discontinuities;
      report.disconnected += r.disconnected;
      if (r.firstReceiptAt > 0) report.firstReceiptAt = Math.min(report.firstReceiptAt, r.firstReceiptAt);
      report.lastReceiptAt = Math.max(report.lastReceiptAt, r.lastReceiptAt);
    }
    // Over the publishing time, or over the receiving time when it is longer (the server fell behind): a
    // constant delay (the push window) shifts both ends of the receiving time and so costs no rate.
    const elapsedMs = Math.max((total / tradesPerSec) * 1_000, report.lastReceiptAt - report.firstReceiptAt);
    return {
      kind,
      connections,
      tradesPerSec,
      published: total,
      report,
      delays,
      deliveriesPerSec: report.received / (elapsedMs / 1_000),
      idleRss,
      watchingRss,
      peakRss,
      capacityPerSec: capacity.perSec,
      capacityCpu: capacity.cpu,
      connectMs,
      cpu: cpuText,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    const code = await server.stop();
    if (code !== 0 && code !== null)
      console.log(
        `  the ${kind} server exited with ${code}; its last output:\n${server.recentOutput().join('\n')}`,
      );
  }
}

function perConnection(f: RunFigures, rss: number): number {
  return (rss - f.idleRss) / f.connections;
}

const NAMES: Record<ServerKind, string> = { gateway: 'ws-gateway', bare: 'bare socket.io' };

function printRun(f: RunFigures): void {
  const r = f.report;
  console.log(
    `${NAMES[f.kind].padEnd(15)}${count(f.connections).padStart(7)} conns  ` +
      `${count(f.capacityPerSec).padStart(9)} deliveries/s flooded` +
      `  p50 ${ms(f.delays.percentile(50)).padStart(7)}  p99 ${ms(f.delays.percentile(99)).padStart(7)}` +
      `  ${kb(perConnection(f, f.watchingRss)).padStart(8)}/conn watching, ${kb(perConnection(f, f.peakRss)).padStart(8)}/conn peak`,
  );
  console.log(
    `  at ${count(f.tradesPerSec * f.connections)} offered (${f.tradesPerSec.toFixed(1)} trades/s × ${count(r.sockets)} sockets, ` +
      `${measureMs / 1_000} s): ${count(f.deliveriesPerSec)} deliveries/s, received ${count(r.received)} of ` +
      `${count(f.published * r.sockets)} (missing ${count(r.missing)}, out of order ${count(r.outOfOrder)}, ` +
      `discontinuities ${count(r.discontinuities)}, disconnects ${count(r.disconnected)}), max delay ` +
      `${ms(f.delays.percentile(100))}, ${(r.received / Math.max(1, r.messages)).toFixed(1)} trades per message; ` +
      `cpu ${f.cpu}`,
  );
  console.log(
    `  flooded at ${count(FLOOD_OFFERED)} offered: cpu ${f.capacityCpu}; RSS idle ${kb(f.idleRss)}, watching ` +
      `${kb(f.watchingRss)}, peak while measuring ${kb(f.peakRss)}; connect + watch ${(f.connectMs / 1_000).toFixed(1)} s`,
  );
}

function printVerdicts(gateway: RunFigures, bare: RunFigures): void {
  const at = gateway.connections;
  const note =
    at === TARGET_CONNECTIONS ? '' : ` (at ${count(at)} connections, not ${count(TARGET_CONNECTIONS)})`;
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  const peakKb = (f: RunFigures) => perConnection(f, f.peakRss) / 1_024;
  const figures = (f: RunFigures) => ({
    capacity: f.capacityPerSec,
    p50: f.delays.percentile(50),
    p99: f.delays.percentile(99),
    kb: peakKb(f),
  });
  const gw = figures(gateway);
  const base = figures(bare);
  console.log(
    `ws-gateway / bare socket.io at ${count(at)} connections: deliveries/s flooded ${(gw.capacity / base.capacity).toFixed(2)}, ` +
      `p50 ${(gw.p50 / base.p50).toFixed(2)}, p99 ${(gw.p99 / base.p99).toFixed(2)}, memory per connection ` +
      `${(gw.kb / base.kb).toFixed(2)}`,
  );
  console.log(
    `deliveries/s flooded: ${count(gw.capacity)} (target ≥ ${count(TARGET_DELIVERIES_PER_SEC)})${note}: ` +
      verdict(gw.capacity >= TARGET_DELIVERIES_PER_SEC),
  );
  const lost = gateway.report.missing > 0 ? `; ${count(gateway.report.missing)} deliveries missing` : '';
  console.log(
    `p99 NATS→client at ${count(offered)} offered: ${ms(gw.p99)} (target ≤ ${TARGET_P99_MS} ms${lost})${note}: ` +
      verdict(gw.p99 <= TARGET_P99_MS && gateway.report.missing === 0),
  );
  console.log(
    `memory per connection (peak RSS while measuring): ${gw.kb.toFixed(1)} KB (target ≤ ${TARGET_KB_PER_CONNECTION} KB)${note}: ` +
      verdict(gw.kb <= TARGET_KB_PER_CONNECTION),
  );
  const behind = [
    ['deliveries/s flooded', gw.capacity > base.capacity],
    ['p50', gw.p50 < base.p50],
    ['p99', gw.p99 < base.p99],
    ['memory per connection', gw.kb < base.kb],
  ]
    .filter(([, ahead]) => !ahead)
    .map(([name]) => name);
  console.log(
    `ahead of bare socket.io on every figure${note}: ${verdict(behind.length === 0)}` +
      (behind.length > 0 ? ` (not ahead on ${behind.join(', ')})` : ''),
  );
}

const background = new CpuMeter({});
await sleep(1_000);
const backgroundText = background.describe();
const backgroundShare = Number(/rest (\d+)%/.exec(backgroundText)?.[1] ?? 0) / 100;
const database = await BenchDatabase.create();
const nats = await NatsServerProcess.start();
let nc: NatsConnection | undefined;
try {
  const fdLimit = openFileLimit();
  const fitting = connectionCounts.map((n) => (n + SPARE_FDS > fdLimit ? fdLimit - SPARE_FDS : n));
  console.log(
    `gateway bench (node ${process.version}, ${cpus().length} cores, ulimit -n ${fdLimit}, other processes ` +
      `${(backgroundShare * 100).toFixed(0)}% of a core before the run): every socket watches ${TOPIC}; ` +
      `${CLIENT_PROCESSES} load-client processes on the same machine. Delay and memory at ${count(offered)} ` +
      `deliveries/s offered (trades/s = offered ÷ connections; ${measureMs / 1_000} s after ${WARMUP_MS / 1_000} s ` +
      `of warm-up; delay = NATS publish → socket.io receipt, 1 ms resolution; memory = (server RSS − RSS before ` +
      `the sockets connected) ÷ connections); deliveries/s flooded = receipts/s with ${count(FLOOD_OFFERED)} offered, ` +
      `counted ${(FLOOD_SKIP_MS / 1_000).toFixed(1)}–${FLOOD_MS / 1_000} s into the flood`,
  );
  if (backgroundShare > BUSY_MACHINE_WARNING)
    console.log('  the machine was busy before the run: every figure below is worse than on a quiet machine');
  fitting.forEach((n, i) => {
    if (n !== connectionCounts[i])
      console.log(
        `  ulimit -n ${fdLimit} is too low for ${count(connectionCounts[i] as number)} connections: running ${count(n)}`,
      );
  });
  nc = await connect({ servers: nats.url, name: 'gateway-bench' });
  const runs: RunFigures[] = [];
  for (const connections of fitting)
    for (const kind of ['gateway', 'bare'] as const) {
      const f = await measure(kind, connections, nats, nc, database);
      printRun(f);
      runs.push(f);
    }
  const gateway = runs.filter((f) => f.kind === 'gateway').at(-1);
  const bare = runs.filter((f) => f.kind === 'bare').at(-1);
  if (gateway !== undefined && bare !== undefined) printVerdicts(gateway, bare);
} finally {
  await nc?.close().catch(() => undefined);
  await nats.dispose();
  await database.drop();
}
process.exit(0);
