import type { NatsConnection } from '@nats-io/transport-node';
import { NatsLink, RequestClient } from '@tm/messaging';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  createStreams,
  createSubjects,
  BeaconV1,
  DeadLetterV1,
  decodePayload,
  InstanceStatusV1,
  LifecycleTransitionV1,
  replyEnvelope,
  SERVICE_NAMES,
  OrderStateV1,
  SnapshotV1,
  TickV1,
  VENUE_OPS,
  type InstanceStatusV1 as Status,
} from '@tm/contracts';
import {
  expectEventually,
  freePortRange,
  NatsServerProcess,
  streamPayloads,
  uniqueSubjectRoot,
} from '@tm/testing';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetProcess, isAlive, processGroupMembers, REPO_ROOT } from './fleet-process.js';
import { applicationStates } from './stream-payloads.js';

const run = promisify(execFile);
const root = uniqueSubjectRoot();
const subjects = createSubjects(root);
const streams = createStreams(root);
const StatusReply = replyEnvelope(InstanceStatusV1);

let nats: NatsServerProcess;
let fleet: FleetProcess;
let link: NatsLink;
let nc: NatsConnection;
let requests: RequestClient;
let jsm: JetStreamManager;
let env: Record<string, string>;

async function tm(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'tools/tm/dist/main.js'), ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

function statuses(): Promise<Status[]> {
  return requests.gather(subjects.sysStatus(), { v: 1 }, InstanceStatusV1, { windowMs: 700 });
}

async function lifecycle() {
  return streamPayloads(jsm, streams.SYS.name, `${root}.sys.lifecycle.`, LifecycleTransitionV1);
}

describe('the whole fleet, started by `npm start`', () => {
  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    env = {
      TM_NATS_URL: nats.url,
      TM_DATABASE_URL: inject('databaseUrl'),
      TM_SUBJECT_ROOT: root,
      TM_PORT_BASE: String(await freePortRange(SERVICE_NAMES.length)),
      TM_LOG_LEVEL: 'warn',
      TM_BEACON_INTERVAL: '1s',
      TM_SNAPSHOT_INTERVAL: '2s',
    };
    link = await NatsLink.connect({
      servers: [nats.url],
      name: 'fleet-e2e',
      pingIntervalMs: 2_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    nc = link.connection;
    requests = new RequestClient(link);
    jsm = await jetstreamManager(nc);
    fleet = new FleetProcess(env);
  }, 60_000);

  afterAll(async () => {
    fleet?.signalGroup('SIGKILL');
    await link?.close().catch(() => undefined);
    await nats?.dispose();
  });

  it('brings all seven services to Running, seen on tm.sys.lifecycle', async () => {
    await expectEventually(
      async () => {
        const events = await lifecycle();
        for (const service of SERVICE_NAMES) {
          expect(applicationStates(events, service), `${service}\n${fleet.tail()}`).toEqual([
            'Deploying',
            'Deployed',
            'Running',
          ]);
        }
      },
      120_000,
      500,
    );
  }, 150_000);

  it('answers `tm health` with exit code 0 and `tm ps` with the lifecycle tree', async () => {
    const health = await tm('health');
    expect(health.stdout).toContain('fleet healthy');
    expect(health.code).toBe(0);
    const ps = await tm('ps');
    expect(ps.code).toBe(0);
    for (const service of SERVICE_NAMES)
      expect(ps.stdout).toMatch(new RegExp(`${service}/${service}-1\\s+Running`));
    expect(ps.stdout).toMatch(/market-data\s+Running/);
  }, 30_000);

  it('streams the paper venue and trades on it with no keys, through venue RPC', async () => {
    const ticks: TickV1[] = [];
    const subscription = nc.subscribe(subjects.all.mdTick(), {
      callback: (_error, msg) => {
        const decoded = decodePayload(TickV1, msg.data);
        if (decoded.ok) ticks.push(decoded.value);
      },
    });
    try {
      await expectEventually(() => {
        expect(new Set(ticks.map((t) => t.instrument))).toEqual(
          new Set(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']),
        );
        expect(ticks.every((t) => t.source === 'paper' && t.bid < t.ask)).toBe(true);
      }, 20_000);
    } finally {
      subscription.unsubscribe();
    }
    const venue = (op: string) => subjects.venueRpc('paper', 'paper-main', op);
    await expectEventually(async () => {
      const status = await requests.request(venue('status'), { v: 1 }, VENUE_OPS.status.result);
      expect(status).toMatchObject({ state: 'Running', reconciling: false });
    }, 20_000);
    const order = await requests.request(
      venue('create-order'),
      {
        v: 1,
        origin: { flowId: 'fleet-e2e', step: 0, child: 0 },
        instrument: 'BTC/USDT',
        side: 'buy',
        kind: 'market',
        amount: '0.001',
      },
      OrderStateV1,
      { timeoutMs: 10_000 },
    );
    expect(order).toMatchObject({ status: 'closed', filled: '0.001' });
  }, 60_000);

  it('beacons, snapshots and serves /health, /ready and /metrics on every service', async () => {
    const beaconing = new Set<string>();
    const beacons = nc.subscribe(subjects.all.sysBeacon());
    void (async () => {
      for await (const message of beacons) {
        const beacon = decodePayload(BeaconV1, message.data);
        if (beacon.ok && beacon.value.state === 'Running') beaconing.add(beacon.value.service);
      }
    })();
    await expectEventually(
      () => expect([...beaconing].sort()).toEqual([...SERVICE_NAMES].sort()),
      15_000,
      100,
    );
    beacons.unsubscribe();

    await expectEventually(
      async () => {
        const snapshots = await streamPayloads(jsm, streams.SYS.name, `${root}.sys.snapshot.`, SnapshotV1);
        expect(new Set(snapshots.map((snapshot) => snapshot.service))).toEqual(new Set(SERVICE_NAMES));
        for (const snapshot of snapshots) expect(snapshot.memory.rssBytes).toBeGreaterThan(0);
      },
      15_000,
      250,
    );

    for (const status of await statuses()) {
      const base = `http://127.0.0.1:${status.httpPort}`;
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, state: 'Running' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain(
        `tm_process_cpu_user_seconds_total{service="${status.service}",instance="${status.instance}"}`,
      );
    }
  }, 60_000);

  it('dead-letters a malformed control payload of every service, with the reason, and keeps running', async () => {
    for (const service of SERVICE_NAMES) {
      const reply = await nc.request(
        subjects.sysCtl(service, `${service}-1`),
        JSON.stringify({ v: 1, action: 'explode' }),
        { timeout: 5_000 },
      );
      const envelope = StatusReply.parse(reply.json());
      expect(envelope.ok).toBe(false);
      if (!envelope.ok) expect(envelope.error.code).toBe('INVALID_PAYLOAD');
      nc.publish(subjects.sysCtl(service, `${service}-1`), '{not json');
    }
    await expectEventually(
      async () => {
        const letters = await streamPayloads(jsm, streams.DLQ.name, `${root}.dlq.`, DeadLetterV1);
        for (const service of SERVICE_NAMES) {
          const own = letters.filter((letter) => letter.service === service);
          expect(own.some((letter) => letter.reason.includes('action'))).toBe(true);
          expect(
            own.some(
              (letter) =>
                /not JSON/.test(letter.reason) &&
                Buffer.from(letter.payloadBase64, 'base64').toString() === '{not json',
            ),
          ).toBe(true);
          expect(own.every((letter) => letter.subject === subjects.sysCtl(service, `${service}-1`))).toBe(
            true,
          );
        }
      },
      15_000,
      250,
    );
    expect((await statuses()).filter((s) => s.state === 'Running')).toHaveLength(SERVICE_NAMES.length);
  }, 60_000);

  it('takes every service through Waiting and back to Running when NATS restarts', async () => {
    await nats.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the outage the services must notice
    await nats.restart();
    await expectEventually(
      async () => {
        const events = await lifecycle();
        for (const service of SERVICE_NAMES) {
          expect(applicationStates(events, service), service).toEqual([
            'Deploying',
            'Deployed',
            'Running',
            'Waiting',
            'Running',
          ]);
        }
      },
      60_000,
      500,
    );
    await expectEventually(async () => expect((await tm('health')).code).toBe(0), 30_000, 500);
  }, 120_000);

  it('pauses and resumes one service through `tm`', async () => {
    const paused = await tm('pause', 'aggregator/aggregator-1');
    expect(paused.stdout).toContain('aggregator/aggregator-1: Paused');
    expect((await tm('health')).code).toBe(1);
    const resumed = await tm('resume', 'aggregator');
    expect(resumed.stdout).toContain('aggregator/aggregator-1: Running');
    expect((await tm('health')).code).toBe(0);
  }, 30_000);

  it('drains every process to Exited on SIGTERM and leaves none behind', async () => {
    const pids = (await statuses()).map((s) => s.pid);
    expect(pids).toHaveLength(SERVICE_NAMES.length);
    fleet.signalGroup('SIGTERM'); // what Ctrl-C does: the whole process group gets the signal
    await fleet.exited; // npm itself leaves at once; the launcher and the services drain
    await expectEventually(
      async () => {
        const events = await lifecycle();
        for (const service of SERVICE_NAMES) {
          expect(applicationStates(events, service).slice(-3), service).toEqual([
            'Stopping',
            'Stopped',
            'Exited',
          ]);
        }
      },
      20_000,
      250,
    );
    await expectEventually(() => expect(pids.filter(isAlive)).toEqual([]), 5_000);
    await expectEventually(async () => expect(await processGroupMembers(fleet.pid)).toEqual([]), 25_000, 250);
  }, 60_000);
});
