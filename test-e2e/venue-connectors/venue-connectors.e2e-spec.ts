// The venue-connectors process, as built, on a ccxt venue (the Binance simulator) configured the way an
// operator would: TM_VENUES names a credential, the keys come from the environment and never show.
import { BinanceSimulator } from '@tm/exchange-simulator';
import {
  BookDeltaV1,
  createSubjects,
  decodePayload,
  encodePayload,
  OrderStateV1,
  TickV1,
  VENUE_OPS,
} from '@tm/contracts';
import { instrumentSlot } from '@tm/sharding';
import { NatsLink, RequestClient } from '@tm/messaging';
import { expectEventually, freePort, NatsServerProcess, uniqueSubjectRoot } from '@tm/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../fleet/fleet-process.js';
import { SPOT_INSTRUMENTS } from '@tm/matching';

const MAIN = join(REPO_ROOT, 'services/venue-connectors/dist/main.js');
const API_KEY = 'e2e-api-key-7f3a9c';
const SECRET = 'e2e-secret-never-printed-4b1d';
const BTC = SPOT_INSTRUMENTS['BTC/USDT'];

function startService(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: { ...process.env, TM_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

describe('venue-connectors on a ccxt venue, configured by reference', () => {
  let nats: NatsServerProcess;
  let simulator: BinanceSimulator;
  let link: NatsLink;
  let env: Record<string, string>;
  const root = uniqueSubjectRoot();
  const subjects = createSubjects(root);

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    simulator = await BinanceSimulator.start({
      instruments: [BTC],
      accounts: [{ apiKey: API_KEY, secret: SECRET, account: 'e2e', balances: { USDT: '100000', BTC: '1' } }],
      marketMakers: [{ instrument: 'BTC/USDT', startMid: '60000' }],
    });
    link = await NatsLink.connect({
      servers: [nats.url],
      name: 'venue-connectors-e2e',
      pingIntervalMs: 2_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    env = {
      TM_NATS_URL: nats.url,
      TM_DATABASE_URL: inject('databaseUrl'),
      TM_SUBJECT_ROOT: root,
      TM_INSTANCE_ID: 'vc-e2e',
      TM_HTTP_PORT: String(await freePort()),
      TM_VENUES: JSON.stringify([
        {
          venue: 'binance',
          account: 'binance-e2e',
          credential: 'sim-main',
          apiUrl: simulator.httpUrl,
          instruments: ['BTC/USDT'],
        },
      ]),
    };
  }, 60_000);

  afterAll(async () => {
    await link?.close().catch(() => undefined);
    await simulator?.close();
    await nats?.dispose();
  });

  it('refuses to start when the named credential has no keys, saying where it looked', async () => {
    const service = startService(env);
    expect(await service.exited).toBe(78);
    expect(service.output.join('')).toContain(
      'credential "sim-main": apiKey not found (looked in TM_CREDENTIAL_SIM_MAIN_API_KEY)',
    );
  }, 60_000);

  it('streams, trades and reports through venue RPC, and never prints the keys', async () => {
    const service = startService({
      ...env,
      TM_CREDENTIAL_SIM_MAIN_API_KEY: API_KEY,
      TM_CREDENTIAL_SIM_MAIN_SECRET: SECRET,
    });
    try {
      const requests = new RequestClient(link);
      const venue = (op: string) => subjects.venueRpc('binance', 'binance-e2e', op);
      await expectEventually(async () => {
        const status = await requests.request(venue('status'), { v: 1 }, VENUE_OPS.status.result);
        expect(status).toMatchObject({ state: 'Running', reconciling: false, breaker: 'closed' });
        expect(status.lastReconciledAt).not.toBeNull();
      }, 30_000);
      const ticks: TickV1[] = [];
      const subscription = link.connection.subscribe(subjects.all.mdTick(), {
        callback: (_error, msg) => {
          const decoded = decodePayload(TickV1, msg.data);
          if (decoded.ok) ticks.push(decoded.value);
        },
      });
      await expectEventually(() => expect(ticks.some((t) => t.source === 'binance')).toBe(true), 15_000);
      subscription.unsubscribe();

      // An aggregator that lost binance's book asks for it again: a snapshot comes back at once.
      const books: BookDeltaV1[] = [];
      const bookSubscription = link.connection.subscribe(subjects.all.mdBook(), {
        callback: (_error, msg) => {
          const decoded = decodePayload(BookDeltaV1, msg.data);
          if (decoded.ok) books.push(decoded.value);
        },
      });
      const slot = instrumentSlot('BTC/USDT');
      link.connection.publish(
        subjects.mdResync(slot),
        encodePayload({ v: 1, instrument: 'BTC/USDT', source: 'binance' }),
      );
      await expectEventually(() => {
        const snapshot = books.find((b) => b.snapshot && b.source === 'binance');
        expect(snapshot?.bids.length).toBeGreaterThan(0);
      }, 10_000);
      bookSubscription.unsubscribe();
      const order = await requests.request(
        venue('create-order'),
        {
          v: 1,
          origin: { flowId: 'e2e', step: 0, child: 0 },
          instrument: 'BTC/USDT',
          side: 'buy',
          kind: 'limit',
          amount: '0.001',
          price: '30000.00',
        },
        OrderStateV1,
        { timeoutMs: 10_000 },
      );
      expect(order.status).toBe('open');
      expect(simulator.exchange.openOrders('e2e').map((o) => o.clientOrderId)).toEqual([order.clientOrderId]);
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      const printed = service.output.join('');
      expect(printed).toContain('binance/binance-e2e');
      expect(printed).not.toContain(SECRET);
      expect(printed).not.toContain(API_KEY);
    } finally {
      service.child.kill('SIGKILL');
    }
  }, 90_000);
});
