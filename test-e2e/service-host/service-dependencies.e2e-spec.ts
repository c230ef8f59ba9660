// One service process (aggregator, as built) against a NATS that is missing at start and a
// PostgreSQL reached through a proxy the test cuts: Waiting, back to Running, and a clean exit.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createStreams, LifecycleTransitionV1 } from '@tm/contracts';
import {
  expectEventually,
  freePort,
  NatsServerProcess,
  streamPayloads,
  TcpCutProxy,
  uniqueSubjectRoot,
} from '@tm/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../fleet/fleet-process.js';
import { applicationStates } from '../fleet/stream-payloads.js';

const AGGREGATOR_MAIN = join(REPO_ROOT, 'services/aggregator/dist/main.js');

function startService(env: Record<string, string>): {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [AGGREGATOR_MAIN], {
    env: { ...process.env, TM_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function probe(
  port: number,
  path: '/health' | '/ready',
): Promise<{ status: number; body: { state?: string; reason?: string } }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: (await response.json()) as { state?: string; reason?: string } };
}

describe('a service refuses bad configuration', () => {
  it('exits with code 78 naming the variable and the expected form', async () => {
    const service = startService({ TM_NATS_URL: 'http://not-nats', TM_HTTP_PORT: 'eighty' });
    expect(await service.exited).toBe(78);
    const text = service.output.join('');
    expect(text).toContain('TM_NATS_URL: expected');
    expect(text).toContain('TM_HTTP_PORT: expected');
  });
});

async function lifecycle(root: string, nc: NatsConnection) {
  return streamPayloads(
    await jetstreamManager(nc),
    createStreams(root).SYS.name,
    `${root}.sys.lifecycle.`,
    LifecycleTransitionV1,
  );
}

describe('a service stopped while it waits', () => {
  it('leaves at once with code 0 on SIGTERM while NATS is missing', async () => {
    const httpPort = await freePort();
    const service = startService({
      TM_NATS_URL: `nats://127.0.0.1:${await freePort()}`,
      TM_HTTP_PORT: String(httpPort),
      TM_LOG_LEVEL: 'info',
    });
    await expectEventually(
      async () => expect((await probe(httpPort, '/health')).body.state).toBe('Waiting'),
      15_000,
      100,
    );
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.output.join('')).toContain('"to":"Exited"');
  }, 30_000);
});

describe('a service waits for its dependencies', () => {
  const root = uniqueSubjectRoot();
  let nats: NatsServerProcess;
  let postgres: TcpCutProxy;
  let service: ReturnType<typeof startService>;
  let httpPort: number;
  let nc: NatsConnection | undefined;

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    await nats.kill(); // NATS is missing when the service starts
    const database = new URL(inject('databaseUrl'));
    postgres = await TcpCutProxy.start(database.hostname, Number(database.port || 5432));
    database.port = String(postgres.port);
    httpPort = await freePort();
    service = startService({
      TM_NATS_URL: nats.url,
      TM_DATABASE_URL: database.toString(),
      TM_SUBJECT_ROOT: root,
      TM_INSTANCE_ID: 'aggregator-w',
      TM_HTTP_PORT: String(httpPort),
      TM_DEPENDENCY_CHECK_INTERVAL: '250ms',
    });
  });

  afterAll(async () => {
    service?.child.kill('SIGKILL');
    await nc?.close().catch(() => undefined);
    await nats?.dispose();
    await postgres?.dispose();
  });

  it('answers /health but not /ready while NATS is missing, then runs once NATS starts', async () => {
    await expectEventually(
      async () => {
        const health = await probe(httpPort, '/health');
        expect(health.status).toBe(200);
        expect(health.body.state).toBe('Waiting');
        expect(health.body.reason).toContain('NATS unreachable');
      },
      15_000,
      100,
    );
    expect((await probe(httpPort, '/ready')).status).toBe(503);

    await nats.restart();
    await expectEventually(
      async () => expect((await probe(httpPort, '/ready')).status).toBe(200),
      20_000,
      100,
    );
    nc = await connect({ servers: nats.url });
    const events = await lifecycle(root, nc);
    expect(applicationStates(events, 'aggregator')).toEqual([
      'Deploying',
      'Waiting',
      'Deploying',
      'Deployed',
      'Running',
    ]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  }, 60_000);

  it('goes to Waiting when PostgreSQL is cut off and back to Running when it returns', async () => {
    await postgres.cut();
    await expectEventually(
      async () => {
        const ready = await probe(httpPort, '/ready');
        expect(ready.status).toBe(503);
        expect(ready.body.state).toBe('Waiting');
        expect(ready.body.reason).toContain('PostgreSQL lost');
      },
      20_000,
      100,
    );
    await postgres.restore();
    await expectEventually(
      async () => expect((await probe(httpPort, '/ready')).status).toBe(200),
      20_000,
      100,
    );
    const events = await lifecycle(root, nc!);
    expect(applicationStates(events, 'aggregator').slice(-3)).toEqual(['Running', 'Waiting', 'Running']);
    const postgresFeature = events
      .filter((e) => e.path === 'aggregator/aggregator-w/postgres')
      .map((e) => e.to);
    expect(postgresFeature.slice(-2)).toEqual(['Waiting', 'Running']);
  }, 60_000);

  it('drains to Exited on SIGTERM with exit code 0', async () => {
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const events = await lifecycle(root, nc!);
    expect(applicationStates(events, 'aggregator').slice(-3)).toEqual(['Stopping', 'Stopped', 'Exited']);
  }, 30_000);
});
