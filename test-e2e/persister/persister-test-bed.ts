// What the persister e2e tests share: a subject root and a database of their own, persister processes as
// built, ticks published to JetStream, and the rows and metrics to look at.
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import {
  createBuckets,
  createStreams,
  createSubjects,
  encodePayload,
  type Subjects,
  type TickV1,
} from '@tm/contracts';
import { NatsLink, provisionStream } from '@tm/messaging';
import { instrumentSlot } from '@tm/sharding';
import { freePort, uniqueSubjectRoot } from '@tm/testing';
import pg from 'pg';
import { ServiceProcess } from '../fleet/service-process.js';

/** 2026-11-21T00:00:00Z in microseconds. */
const BASE_MICROS = Date.UTC(2026, 10, 21) * 1_000;
const INSTRUMENTS = 50;

/** Tick n: 50 instruments, so the slots spread over every instance; each (instrument, time) distinct. */
export function tick(subjects: Subjects, n: number): { subject: string; payload: TickV1 } {
  const instrument = `E${String(n % INSTRUMENTS).padStart(2, '0')}/USDT`;
  return {
    subject: subjects.mdTick(instrumentSlot(instrument)),
    payload: {
      v: 1,
      instrument,
      source: 'paper',
      bid: 100,
      bidSize: 1,
      ask: 101,
      askSize: 1,
      tsEvent: BASE_MICROS + n * 10,
      tsInit: BASE_MICROS + n * 10 + 1,
    },
  };
}

/** Sums the samples of `name` in a Prometheus text exposition whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export interface Persister {
  process: ServiceProcess;
  port: number;
  metrics(): Promise<string>;
  /** GET /ready: 200 when Running, 503 with the state otherwise. */
  ready(): Promise<{ status: number; state: string }>;
}

export class PersisterTestBed {
  readonly subjects: Subjects;
  private readonly processes: ServiceProcess[] = [];

  private constructor(
    readonly root: string,
    readonly natsUrl: string,
    readonly databaseUrl: string,
    private readonly link: NatsLink,
    private readonly js: JetStreamClient,
  ) {
    this.subjects = createSubjects(root);
  }

  static async open(natsUrl: string, databaseUrl: string): Promise<PersisterTestBed> {
    const root = uniqueSubjectRoot();
    const link = await NatsLink.connect({
      servers: [natsUrl],
      name: 'persister-e2e',
      pingIntervalMs: 2_000,
      maxPingOut: 3,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    await provisionStream(await link.jetstreamManager(), createStreams(root).MD);
    return new PersisterTestBed(root, natsUrl, databaseUrl, link, jetstream(link.connection));
  }

  /** Ticks first..first+count-1, each acknowledged by JetStream. */
  async publishTicks(first: number, count: number): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (let n = first; n < first + count; n++) {
      const { subject, payload } = tick(this.subjects, n);
      pending.push(this.js.publish(subject, encodePayload(payload)));
      if (pending.length >= 1_000) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
  }

  async persister(
    instanceId: string,
    env: Record<string, string>,
    databaseUrl = this.databaseUrl,
  ): Promise<Persister> {
    const port = await freePort();
    const process = new ServiceProcess('persister', instanceId, {
      TM_NATS_URL: this.natsUrl,
      TM_DATABASE_URL: databaseUrl,
      TM_SUBJECT_ROOT: this.root,
      TM_HTTP_PORT: String(port),
      TM_HTTP_HOST: '127.0.0.1',
      TM_DEPENDENCY_CHECK_INTERVAL: '250ms',
      // Short, so a killed instance's slots move in seconds; not so short that a loaded machine loses a claim.
      TM_PERSIST_MEMBER_TTL: '2s',
      ...env,
    });
    this.processes.push(process);
    const base = `http://127.0.0.1:${port}`;
    return {
      process,
      port,
      metrics: async () => (await fetch(`${base}/metrics`)).text(),
      ready: async () => {
        const response = await fetch(`${base}/ready`);
        const body = (await response.json()) as { state?: string; message?: { state?: string } };
        return { status: response.status, state: body.state ?? body.message?.state ?? '' };
      },
    };
  }

  /** Rows of the persister's `table` in `databaseUrl`; 0 while the schema is not there yet. */
  async count(table: string, databaseUrl = this.databaseUrl): Promise<number> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM persister."${table}"`);
      return Number(rows[0]!.n);
    } catch {
      return 0;
    } finally {
      await client.end();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.dispose()));
    const jsm = await this.link.jetstreamManager();
    for (const spec of Object.values(createStreams(this.root)))
      await jsm.streams.delete(spec.name).catch(() => false);
    for (const bucket of Object.values(createBuckets(this.root)))
      await jsm.streams.delete(`KV_${bucket}`).catch(() => false);
    await this.link.close();
  }
}
