// Orders per second and order→ack latency through the paper venue (in process) and through ccxt
// against the exchange simulator, beside the simulator's raw HTTP rate measured in the same run with a
// bare HTTP client. Run after the build: npm run bench:venue (never part of the tests).
// The simulator runs in a child process of its own, so the client side and the venue do not share a
// core's event loop; both clients send the same signed POST /api/v3/order with the same concurrency.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CcxtVenueAdapter, PaperVenue, type VenueAdapter } from '@tm/venues';

const PAPER_ORDERS = 50_000;
const PAPER_TARGET_PER_SEC = 5_000;
const HTTP_CONCURRENCY = 16;
const HTTP_DURATION_MS = 5_000;
// ccxt's JIT needs seconds to settle (its first second runs at half speed); both clients get the same.
const WARMUP_MS = 3_000;
const CCXT_TARGET_RATIO = 0.8;
const API_KEY = 'bench-key';
const SECRET = 'bench-secret';

interface Figures {
  label: string;
  /** Share of one core each side used while measuring (who was the bottleneck). */
  clientCpu?: number;
  venueCpu?: number;
  orders: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function figures(label: string, latencies: number[], elapsedMs: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    label,
    orders: latencies.length,
    perSecond: (latencies.length / elapsedMs) * 1_000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

function print(f: Figures): void {
  const cpu =
    f.clientCpu === undefined
      ? ''
      : `  cpu client ${(f.clientCpu * 100).toFixed(0)}% venue ${f.venueCpu === undefined ? 'n/a' : `${(f.venueCpu * 100).toFixed(0)}%`}`;
  console.log(
    `${f.label.padEnd(44)} ${f.orders.toString().padStart(7)} orders  ${f.perSecond.toFixed(0).padStart(7)} orders/s` +
      `  p50 ${f.p50Ms.toFixed(3)} ms  p99 ${f.p99Ms.toFixed(3)} ms${cpu}`,
  );
}

/** CPU seconds a child process has used (Linux /proc; undefined elsewhere). */
function childCpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Runs a measured phase and records how busy the client and the venue process were. */
async function measured(
  label: string,
  venuePid: number | undefined,
  run: () => Promise<{ latencies: number[]; elapsedMs: number }>,
): Promise<Figures> {
  const client0 = process.cpuUsage();
  const venue0 = childCpuSeconds(venuePid);
  const { latencies, elapsedMs } = await run();
  const client = process.cpuUsage(client0);
  const venue1 = childCpuSeconds(venuePid);
  return {
    ...figures(label, latencies, elapsedMs),
    clientCpu: (client.user + client.system) / 1_000 / elapsedMs,
    ...(venue0 !== undefined && venue1 !== undefined
      ? { venueCpu: ((venue1 - venue0) * 1_000) / elapsedMs }
      : {}),
  };
}

/** Resting limit orders far from the market, alternating sides, so every one is acknowledged as open. */
function orderAt(i: number) {
  const side = i % 2 === 0 ? ('buy' as const) : ('sell' as const);
  const price =
    side === 'buy' ? (1_000 + (i % 1_000) / 100).toFixed(2) : (900_000 + (i % 1_000) / 100).toFixed(2);
  return {
    instrument: 'BTC/USDT',
    side,
    kind: 'limit' as const,
    amount: '0.01',
    price,
    clientOrderId: `b${i}`,
  };
}

/** Keeps `concurrency` orders in flight for `durationMs` (or until `limit` orders), timing each. */
async function drive(
  send: (i: number) => Promise<unknown>,
  opts: { concurrency: number; durationMs?: number; limit?: number },
): Promise<{ latencies: number[]; elapsedMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + (opts.durationMs ?? Number.POSITIVE_INFINITY);
  const worker = async () => {
    while (performance.now() < deadline && (opts.limit === undefined || next < opts.limit)) {
      const i = next++;
      const t0 = performance.now();
      await send(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { latencies, elapsedMs: performance.now() - started };
}

async function benchPaper(): Promise<Figures> {
  const paper = new PaperVenue({ startingBalances: { USDT: '1000000000', BTC: '1000000' } });
  const adapter = paper.adapter('bench');
  await adapter.connect();
  // Warm the JIT, then measure one order at a time (latency) and the rate it gives.
  await drive((i) => adapter.createOrder(orderAt(PAPER_ORDERS + i)), { concurrency: 1, limit: 5_000 });
  const { latencies, elapsedMs } = await drive((i) => adapter.createOrder(orderAt(i)), {
    concurrency: 1,
    limit: PAPER_ORDERS,
  });
  await adapter.close();
  return figures('paper venue (adapter, in process)', latencies, elapsedMs);
}

async function startSimulator(): Promise<{ child: ChildProcess; url: string }> {
  const main = fileURLToPath(new URL('../../../test-e2e/exchange-simulator/dist/main.js', import.meta.url));
  const child = spawn(process.execPath, [main, '--port', '0', '--unlimited', '--no-market-makers'], {
    env: {
      ...process.env,
      SIM_API_KEY: API_KEY,
      SIM_API_SECRET: SECRET,
      SIM_BALANCES: 'USDT=1000000000,BTC=1000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { child, url };
}

/** The bare client: one keep-alive agent, the signed form body Binance takes, nothing else. */
function rawOrderSender(url: string): () => Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });
  const { hostname, port } = new URL(url);
  let sent = 0;
  return () => {
    const i = (sent += 1);
    const o = orderAt(1_000_000 + i);
    const params = new URLSearchParams({
      symbol: 'BTCUSDT',
      side: o.side.toUpperCase(),
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: o.amount,
      price: o.price,
      newClientOrderId: `r${i}`,
      newOrderRespType: 'FULL',
      timestamp: String(Date.now()),
      recvWindow: '10000',
    });
    const body = `${params}&signature=${createHmac('sha256', SECRET).update(params.toString()).digest('hex')}`;
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          agent,
          hostname,
          port,
          path: '/api/v3/order',
          method: 'POST',
          headers: {
            'X-MBX-APIKEY': API_KEY,
            'Content-Type': 'application/x-www-form-urlencoded',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            response.statusCode === 200
              ? resolve()
              : reject(new Error(`HTTP ${response.statusCode}: ${Buffer.concat(chunks).toString()}`)),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  };
}

async function benchSimulator(): Promise<{ raw: Figures; ccxt: Figures }> {
  const { child, url } = await startSimulator();
  try {
    const raw = rawOrderSender(url);
    await drive(raw, { concurrency: HTTP_CONCURRENCY, durationMs: WARMUP_MS });
    const rawFigures = await measured(`simulator, bare HTTP client (x${HTTP_CONCURRENCY})`, child.pid, () =>
      drive(raw, { concurrency: HTTP_CONCURRENCY, durationMs: HTTP_DURATION_MS }),
    );
    const adapter: VenueAdapter = new CcxtVenueAdapter({
      exchangeId: 'binance',
      credentials: { apiKey: API_KEY, secret: SECRET },
      apiUrl: url,
      enableRateLimit: false,
    });
    await adapter.connect();
    let sent = 0;
    const send = () => {
      const i = (sent += 1);
      return adapter.createOrder({ ...orderAt(2_000_000 + i), clientOrderId: `c${i}` });
    };
    await drive(send, { concurrency: HTTP_CONCURRENCY, durationMs: WARMUP_MS });
    const ccxtFigures = await measured(
      `ccxt CcxtVenueAdapter → simulator (x${HTTP_CONCURRENCY})`,
      child.pid,
      () => drive(send, { concurrency: HTTP_CONCURRENCY, durationMs: HTTP_DURATION_MS }),
    );
    await adapter.close();
    return { raw: rawFigures, ccxt: ccxtFigures };
  } finally {
    child.kill('SIGTERM');
  }
}

const paper = await benchPaper();
const { raw, ccxt } = await benchSimulator();
console.log(`venue bench (node ${process.version})`);
print(paper);
print(raw);
print(ccxt);
const ratio = ccxt.perSecond / raw.perSecond;
console.log(
  `paper venue: ${paper.perSecond.toFixed(0)} orders/s (target ≥ ${PAPER_TARGET_PER_SEC}): ${paper.perSecond >= PAPER_TARGET_PER_SEC ? 'met' : 'NOT met'}`,
);
console.log(
  `ccxt / bare HTTP: ${ratio.toFixed(2)} (target ≥ ${CCXT_TARGET_RATIO}): ${ratio >= CCXT_TARGET_RATIO ? 'met' : 'NOT met'}`,
);
process.exit(0);
