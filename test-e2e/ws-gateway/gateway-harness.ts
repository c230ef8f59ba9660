// What the ws-gateway e2e tests share: a database of their own, gateway processes as built, logins, and
// trades numbered into stream PUSH by the same TopicSequencer the aggregator runs.
import { createStreams, createSubjects, type Subjects, type TradeV1 } from '@tm/contracts';
import { NatsLink, provisionStream, ReliablePublisher } from '@tm/messaging';
import { lastSequenceIn, TopicSequencer, TradeEvents } from '@tm/push';
import { instrumentSlot } from '@tm/sharding';
import { expectEventually, freePort, NatsServerProcess, uniqueSubjectRoot } from '@tm/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from '../fleet/fleet-process.js';
import { ownDatabase, type OwnDatabase } from '../fleet/own-database.js';

const MAIN = join(REPO_ROOT, 'services/ws-gateway/dist/main.js');
export const ADMIN_PASSWORD = 'e2e-admin-password-3f9a';

export interface Push {
  at: number;
  epoch: string;
  states: { topic: string; value: Record<string, unknown> }[];
  events: { topic: string; seq: number; value: { tradeId: string } }[];
  discontinuities: { topic: string; lastSeq: number; reason: string }[];
}

/** One ws-gateway process, as built, on the test's NATS and database. */
async function startGateway(
  env: Record<string, string>,
  ready: (url: string) => Promise<number> = async (url) => (await fetch(`${url}/ready`)).status,
): Promise<{ url: string; child: ChildProcess; output: string[] }> {
  const port = await freePort();
  const url = `${env['TM_TLS_CERT'] === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  const output: string[] = [];
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      TM_LOG_LEVEL: 'info',
      TM_HTTP_PORT: String(port),
      TM_HTTP_HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  try {
    await expectEventually(async () => expect(await ready(url)).toBe(200), 30_000);
  } catch (error) {
    // Never leave a gateway behind: it would hold its port and NATS interest past the run.
    child.kill('SIGKILL');
    throw new Error(`the gateway did not become ready: ${output.join('').slice(-2_000)}`, { cause: error });
  }
  return { url, child, output };
}

/** SIGTERM to each process still running, resolved once all have exited. */
async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
}

export async function login(url: string): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { accessToken: string; refreshToken: string };
}

export function trade(instrument: string, source: string, id: number): TradeV1 {
  return {
    v: 1,
    instrument,
    source,
    tradeId: `t${id}`,
    price: 100 + id,
    amount: 1,
    takerSide: 'buy',
    tsEvent: Date.now() * 1_000,
    tsInit: Date.now() * 1_000,
  };
}

/** Trades numbered into stream PUSH by the aggregator's own TradeEvents, without an aggregator process. */
export class TradeNumbering {
  private readonly publisher: ReliablePublisher;
  private readonly sequencer: TopicSequencer;
  private readonly events: TradeEvents;

  private constructor(
    link: NatsLink,
    subjects: Subjects,
    lastSequence: (subject: string) => Promise<number>,
  ) {
    this.publisher = new ReliablePublisher(link, { maxInFlight: 64 });
    this.sequencer = new TopicSequencer({
      subjects,
      publisher: this.publisher,
      lastSequence,
      onFailure: (error) => {
        throw error;
      },
    });
    this.events = new TradeEvents(this.sequencer);
  }

  static async open(link: NatsLink, subjects: Subjects): Promise<TradeNumbering> {
    const jsm = await link.jetstreamManager();
    const stream = createStreams(subjects.root).PUSH;
    await provisionStream(jsm, stream);
    return new TradeNumbering(link, subjects, lastSequenceIn(jsm, stream.name));
  }

  publish(t: TradeV1): void {
    this.events.trade(t, instrumentSlot(t.instrument));
  }

  /** Resolves once the stream has acknowledged everything published. */
  async stored(): Promise<void> {
    expect(await this.publisher.flush(10_000)).toBe(true);
  }

  close(): void {
    this.sequencer.close();
    this.publisher.close();
  }
}

/**
 * What every gateway e2e test runs on: a NATS server and a database of its own (another test's gateway may
 * already have made its first admin), a subject root, trades numbered into its stream PUSH, and the
 * environment a gateway process needs; `close()` stops the gateways started through it and removes it all.
 */
export class GatewayTestBed {
  readonly subjects: Subjects;
  private readonly children: ChildProcess[] = [];

  private constructor(
    readonly nats: NatsServerProcess,
    readonly link: NatsLink,
    readonly database: OwnDatabase,
    readonly trades: TradeNumbering,
    readonly root: string,
  ) {
    this.subjects = createSubjects(root);
  }

  static async open(sharedDatabaseUrl: string, name: string): Promise<GatewayTestBed> {
    const nats = await NatsServerProcess.start();
    const link = await NatsLink.connect({
      servers: [nats.url],
      name: `ws-gateway-e2e/${name}`,
      pingIntervalMs: 2_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    const root = uniqueSubjectRoot();
    const database = await ownDatabase(sharedDatabaseUrl, name);
    return new GatewayTestBed(
      nats,
      link,
      database,
      await TradeNumbering.open(link, createSubjects(root)),
      root,
    );
  }

  get env(): Record<string, string> {
    return {
      TM_NATS_URL: this.nats.url,
      TM_DATABASE_URL: this.database.url,
      TM_SUBJECT_ROOT: this.root,
      TM_ADMIN_PASSWORD: ADMIN_PASSWORD,
    };
  }

  /** A gateway on this bed, with `env` added to the bed's; stopped by close(). */
  async gateway(
    env: Record<string, string>,
    ready?: (url: string) => Promise<number>,
  ): Promise<{ url: string; child: ChildProcess }> {
    const started = await startGateway({ ...this.env, ...env }, ready);
    this.children.push(started.child);
    return started;
  }

  async close(): Promise<void> {
    await stopAll(this.children);
    this.trades.close();
    await this.link.close();
    await this.nats.dispose();
    await this.database.drop();
  }
}
