// The aggregator service as built (services/aggregator/dist/main.js), run as a process of its own on a
// fresh database and subject root, and read through its Prometheus /metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tm/testing';
import { parseMetrics } from '../shared/prometheus-text.js';

const AGGREGATOR_MAIN = fileURLToPath(new URL('../../../services/aggregator/dist/main.js', import.meta.url));
const OUTPUT_LINES_KEPT = 50;

/** The counters of `tm_aggregator_messages` by outcome, the owned slots, and refusals by source and reason. */
export interface AggregatorCounters {
  atMs: number;
  outcomes: Record<string, number>;
  ownedSlots: number;
  refusals: { source: string; reason: string; count: number }[];
}

export interface AggregatorProcessOptions {
  natsUrl: string;
  databaseUrl: string;
  root: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Extra configuration, over the bench's own. */
  env?: Record<string, string>;
}

export class AggregatorProcess {
  private readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly httpPort: number,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      this.output.splice(0, Math.max(0, this.output.length - OUTPUT_LINES_KEPT));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(opts: AggregatorProcessOptions): Promise<AggregatorProcess> {
    const httpPort = await freePort();
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), AGGREGATOR_MAIN], {
      env: {
        ...process.env,
        TM_NATS_URL: opts.natsUrl,
        TM_DATABASE_URL: opts.databaseUrl,
        TM_SUBJECT_ROOT: opts.root,
        TM_INSTANCE_ID: 'aggregator-bench',
        TM_HTTP_PORT: String(httpPort),
        TM_HTTP_HOST: '127.0.0.1',
        TM_LOG_LEVEL: 'warn',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AggregatorProcess(child, httpPort);
  }

  /** What the service printed last (warnings and errors only, at TM_LOG_LEVEL=warn). */
  recentOutput(): string[] {
    return [...this.output];
  }

  async counters(): Promise<AggregatorCounters> {
    const response = await fetch(`http://127.0.0.1:${this.httpPort}/metrics`);
    if (!response.ok) throw new Error(`/metrics answered HTTP ${response.status}`);
    const samples = parseMetrics(await response.text());
    const counters: AggregatorCounters = {
      atMs: performance.now(),
      outcomes: {},
      ownedSlots: 0,
      refusals: [],
    };
    for (const s of samples) {
      if (s.name === 'tm_aggregator_messages' && s.labels['outcome'] !== undefined)
        counters.outcomes[s.labels['outcome']] = (counters.outcomes[s.labels['outcome']] ?? 0) + s.value;
      else if (s.name === 'tm_aggregator_owned_slots') counters.ownedSlots += s.value;
      else if (s.name === 'tm_aggregator_refused' && s.value > 0)
        counters.refusals.push({
          source: s.labels['source'] ?? '?',
          reason: s.labels['reason'] ?? '?',
          count: s.value,
        });
    }
    return counters;
  }

  /** Polls /metrics until `accept` holds; throws with the service's last output on timeout or exit. */
  async waitFor(
    what: string,
    accept: (c: AggregatorCounters) => boolean,
    timeoutMs: number,
  ): Promise<AggregatorCounters> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null) throw this.failure(`the aggregator exited (${this.child.exitCode})`);
      const c = await this.counters().catch(() => undefined);
      if (c !== undefined && accept(c)) return c;
      if (performance.now() > deadline) throw this.failure(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  /** SIGTERM and wait (the service saves its states and leaves); SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  private failure(message: string): Error {
    return new Error(`${message}; its last output:\n${this.output.join('\n')}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
