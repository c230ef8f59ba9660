// Deliveries per second, NATS publish → client receipt delay and resident memory per connection of the
// ws-gateway (services/ws-gateway/dist/main.js) at 1,000 and 10,000 socket.io connections, beside a bare
// socket.io broadcast server (bare-broadcast-server.ts) measured the same way in the same run. Run after
// the build: npm run bench:gateway (never part of the tests). Options: `--offered <n>` deliveries/s offered
// at every connection count (default 50,000: twice the target); `--seconds <n>` measured per run;
// `--connections 1000,10000`; `--profile-gateway <dir>` writes the gateway's .cpuprofile there.
// Every socket watches one trade topic; the bench publishes TradeV1s to its NATS subject at offered ÷
// connections trades/s, each carrying its publish time (tsEvent) and run index (tradeId), so every
// receiver counts what it got, what it missed and how late. The sockets live in CLIENT_PROCESSES child
// processes (load-clients.ts) on the same 2 cores: the figures include the load generator's share.
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createSubjects, encodePayload, type TradeV1 } from '@tm/contracts';
import { instrumentSlot } from '@tm/sharding';
import { NatsServerProcess, uniqueSubjectRoot } from '@tm/testing';
import { io } from 'socket.io-client';
import {
  DelayHistogram,
  tradeId,
  type ClientCommand,
  type ClientReply,
  type ClientReport,
  type ServerKind,
} from './load-protocol.js';
import {
  BenchDatabase,
  CpuMeter,
  natsServerPid,
  residentBytes,
  ServerProcess,
  sleep,
} from './server-process.js';

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
/** Only the last figure is judged against the targets. */
const TARGET_CONNECTIONS = 10_000;
const TARGET_DELIVERIES_PER_SEC = 25_000;
const TARGET_P99_MS = 200;
const TARGET_KB_PER_CONNECTION = 20;
/** Sockets each side needs beyond the connections: NATS, PostgreSQL, stdio, the event loop. */
const SPARE_FDS = 200;

const offered = Number(argValue('--offered') ?? 50_000);
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
  afterRss: number;
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
    await this.ask({ type: 'close' }, 'closed').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited.catch(() => undefined);
    clearTimeout(timer);
  }
}

function trade(runId: string, index: number): Uint8Array {
  const now = Date.now() * 1_000;
  const t: TradeV1 = {
    v: 1,
    instrument: INSTRUMENT,
    source: SOURCE,
    tradeId: tradeId(runId, index),
    price: 50_000 + (index % 100),
    amount: 0.01,
    takerSide: 'buy',
    tsEvent: now,
    tsInit: now,
  };
  return encodePayload(t);
}

/** Publishes `total` trades of `runId` at `perSec`, each stamped with the time it leaves. */
async function publish(
  nc: NatsConnection,
  subject: string,
  runId: string,
  perSec: number,
  total: number,
): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const dueIn = started + (i * 1_000) / perSec - performance.now();
    if (dueIn > 0) await sleep(dueIn);
    nc.publish(subject, trade(runId, i));
  }
  await nc.flush();
}

/** The gateway learns a topic from its first trade: one socket watches and waits for it before the load connects. */
async function primeGateway(server: ServerProcess, token: string, nc: NatsConnection, subject: string) {
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
  nc.publish(subject, trade('prime', 0));
  await Promise.race([
    pushed,
    sleep(10_000).then(() => {
      throw new Error('the gateway pushed nothing for the priming trade');
    }),
  ]);
  return socket;
}

async function measure(
  kind: ServerKind,
  connections: number,
  nats: NatsServerProcess,
  nc: NatsConnection,
  database: BenchDatabase,
): Promise<RunFigures> {
  const root = uniqueSubjectRoot();
  const subject = createSubjects(root).mdTrade(instrumentSlot(INSTRUMENT));
  const tradesPerSec = offered / connections;
  const server = await ServerProcess.start({
    kind,
    natsUrl: nats.url,
    root,
    tradeSubject: subject,
    databaseUrl: database.url,
    nodeArgs:
      kind === 'gateway' && profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  const clients: LoadClients[] = [];
  try {
    const token = await server.login();
    const primer = kind === 'gateway' ? await primeGateway(server, token, nc, subject) : undefined;
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

    await publish(nc, subject, `${root}w`, tradesPerSec, Math.ceil((tradesPerSec * WARMUP_MS) / 1_000));
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
    await publish(nc, subject, runId, tradesPerSec, total);
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
    const afterRss = residentBytes(server.pid) ?? Number.NaN;

    const delays = new DelayHistogram();
    const report: Omit<ClientReport, 'delays'> = {
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
      afterRss,
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

function printRun(f: RunFigures): void {
  const r = f.report;
  const name = f.kind === 'gateway' ? 'ws-gateway' : 'bare socket.io';
  console.log(
    `${name.padEnd(15)}${count(f.connections).padStart(7)} conns  ${count(f.deliveriesPerSec).padStart(8)} deliveries/s` +
      `  p50 ${ms(f.delays.percentile(50)).padStart(7)}  p99 ${ms(f.delays.percentile(99)).padStart(7)}` +
      `  max ${ms(f.delays.percentile(100)).padStart(7)}  ${kb(perConnection(f, f.watchingRss)).padStart(8)}/conn watching,` +
      ` ${kb(perConnection(f, f.afterRss)).padStart(8)}/conn after the run`,
  );
  console.log(
    `  ${count(f.tradesPerSec)} trades/s × ${count(r.sockets)} sockets for ${measureMs / 1_000} s: received ${count(r.received)} ` +
      `of ${count(f.published * r.sockets)} (missing ${count(r.missing)}, out of order ${count(r.outOfOrder)}, ` +
      `discontinuities ${count(r.discontinuities)}, disconnects ${count(r.disconnected)}); ` +
      `${(r.received / Math.max(1, r.messages)).toFixed(1)} trades per message; RSS idle ${kb(f.idleRss)}, ` +
      `watching ${kb(f.watchingRss)}, after ${kb(f.afterRss)}; connect + watch ${(f.connectMs / 1_000).toFixed(1)} s; ` +
      `cpu ${f.cpu}`,
  );
}

const database = await BenchDatabase.create();
const nats = await NatsServerProcess.start();
let nc: NatsConnection | undefined;
try {
  const fdLimit = openFileLimit();
  const fitting = connectionCounts.map((n) => (n + SPARE_FDS > fdLimit ? fdLimit - SPARE_FDS : n));
  console.log(
    `gateway bench (node ${process.version}, ${cpus().length} cores, ulimit -n ${fdLimit}): every socket watches ` +
      `${TOPIC}; ${count(offered)} deliveries/s offered at every connection count (trades/s = offered ÷ connections); ` +
      `${CLIENT_PROCESSES} load-client processes on the same machine; ${measureMs / 1_000} s measured after ` +
      `${WARMUP_MS / 1_000} s of warm-up; delay = NATS publish (bench) → socket.io receipt (client), 1 ms resolution; ` +
      `memory = server RSS with the sockets watching − RSS before they connected, ÷ connections`,
  );
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
  if (gateway !== undefined && bare !== undefined) {
    const at = gateway.connections;
    const note =
      at === TARGET_CONNECTIONS ? '' : ` (at ${count(at)} connections, not ${count(TARGET_CONNECTIONS)})`;
    const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
    const gwKb =
      Math.max(perConnection(gateway, gateway.watchingRss), perConnection(gateway, gateway.afterRss)) / 1_024;
    const bareKb =
      Math.max(perConnection(bare, bare.watchingRss), perConnection(bare, bare.afterRss)) / 1_024;
    const gwP50 = gateway.delays.percentile(50);
    const gwP99 = gateway.delays.percentile(99);
    const bareP50 = bare.delays.percentile(50);
    const bareP99 = bare.delays.percentile(99);
    console.log(
      `deliveries/s ws-gateway / bare: ${(gateway.deliveriesPerSec / bare.deliveriesPerSec).toFixed(2)}, ` +
        `p99 ${(gwP99 / bareP99).toFixed(2)}, memory per connection ${(gwKb / bareKb).toFixed(2)} (at ${count(at)} connections)`,
    );
    console.log(
      `deliveries/s: ${count(gateway.deliveriesPerSec)} (target ≥ ${count(TARGET_DELIVERIES_PER_SEC)}; ` +
        `${count(offered)} offered)${note}: ${verdict(gateway.deliveriesPerSec >= TARGET_DELIVERIES_PER_SEC && gateway.report.missing === 0)}` +
        (gateway.report.missing > 0 ? ` (${count(gateway.report.missing)} deliveries missing)` : ''),
    );
    console.log(
      `p99 NATS→client: ${ms(gwP99)} (target ≤ ${TARGET_P99_MS} ms)${note}: ${verdict(gwP99 <= TARGET_P99_MS)}`,
    );
    console.log(
      `memory per connection: ${gwKb.toFixed(1)} KB (the larger of watching / after the run; target ≤ ` +
        `${TARGET_KB_PER_CONNECTION} KB)${note}: ${verdict(gwKb <= TARGET_KB_PER_CONNECTION)}`,
    );
    const ahead = [
      ['deliveries/s', gateway.deliveriesPerSec > bare.deliveriesPerSec],
      ['p50', gwP50 < bareP50],
      ['p99', gwP99 < bareP99],
      ['memory per connection', gwKb < bareKb],
    ] as const;
    const behind = ahead.filter(([, isAhead]) => !isAhead).map(([name]) => name);
    console.log(
      `ahead of bare socket.io on every figure${note}: ${verdict(behind.length === 0)}` +
        (behind.length > 0 ? ` (not ahead on ${behind.join(', ')})` : ''),
    );
  }
} finally {
  await nc?.close().catch(() => undefined);
  await nats.dispose();
  await database.drop();
}
process.exit(0);
