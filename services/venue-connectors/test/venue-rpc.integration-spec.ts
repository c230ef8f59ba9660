import { jetstreamManager } from '@nats-io/jetstream';
import { createStreams, decodePayload, DeadLetterV1, OrderStateV1, VENUE_OPS } from '@tm/contracts';
import { DeadLetterPublisher, ReplyError, RequestClient } from '@tm/messaging';
import { createLogger } from '@tm/telemetry';
import { expectEventually } from '@tm/testing';
import { PaperVenue } from '@tm/venues';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { VenueRpcServer } from '../src/rpc/venue-rpc.server.js';
import { SessionHarness, type TestSession } from './session-harness.js';

// Venue RPC over NATS on the paper venue: typed results, venue codes for venue failures, field-level
// INVALID_PAYLOAD for malformed requests (which are also dead-lettered), diagnostics through `status`.
describe('venue RPC (paper venue, real NATS)', () => {
  let harness: SessionHarness;
  let paper: PaperVenue;
  let t: TestSession;
  let server: VenueRpcServer;
  let client: RequestClient;
  const subject = (op: string) => harness.subjects.venueRpc('paper', 'rpc-1', op);

  beforeAll(async () => {
    harness = await SessionHarness.open(inject('natsUrl'), inject('databaseUrl'));
    paper = new PaperVenue({ seed: 3 });
    t = await harness.session(
      { venue: 'paper', account: 'rpc-1', instruments: ['ETH/USDT'] },
      paper.adapter('rpc-1'),
    );
    const deadLetters = new DeadLetterPublisher({
      publisher: harness.publisher,
      subjects: harness.subjects,
      service: 'venue-connectors',
      instance: 'test',
    });
    server = new VenueRpcServer(
      harness.link,
      harness.subjects,
      deadLetters,
      createLogger({ service: 'venue-connectors', instance: 'test', level: 'silent' }),
    );
    server.serve(t.session);
    t.session.start();
    client = new RequestClient(harness.link);
    await expectEventually(() => expect(t.session.status().lastReconciledAt).not.toBeNull(), 10_000);
  });
  afterAll(async () => {
    await server.drain(Date.now() + 1_000);
    paper.stop();
    await harness.close();
  });

  it('creates, fetches and cancels an order', async () => {
    const request = {
      v: 1,
      origin: { flowId: 'rpc-flow', step: 1, child: 0 },
      instrument: 'ETH/USDT',
      side: 'sell',
      kind: 'limit',
      amount: '0.5',
      price: '9000',
    };
    const created = await client.request(subject('create-order'), request, OrderStateV1);
    expect(created).toMatchObject({ status: 'open', amount: '0.5', price: '9000', filled: '0' });
    const fetched = await client.request(
      subject('fetch-order'),
      { v: 1, instrument: 'ETH/USDT', clientOrderId: created.clientOrderId },
      OrderStateV1,
    );
    expect(fetched.venueOrderId).toBe(created.venueOrderId);
    const open = await client.request(
      subject('fetch-open-orders'),
      { v: 1 },
      VENUE_OPS['fetch-open-orders'].result,
    );
    expect(open.orders.map((o) => o.clientOrderId)).toContain(created.clientOrderId);
    const canceled = await client.request(
      subject('cancel-order'),
      { v: 1, instrument: 'ETH/USDT', venueOrderId: created.venueOrderId },
      OrderStateV1,
    );
    expect(canceled.status).toBe('canceled');
  });

  it('answers a venue refusal with its venue code', async () => {
    const request = {
      v: 1,
      origin: { flowId: 'rpc-flow', step: 2, child: 0 },
      instrument: 'ETH/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '1000000',
      price: '1000',
    };
    const error = await client
      .request(subject('create-order'), request, OrderStateV1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  });

  it('answers a malformed request with the failing fields and dead-letters it', async () => {
    const error = await client
      .request(subject('create-order'), { v: 1, instrument: 'ETH-USDT', side: 'buy' }, OrderStateV1)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_PAYLOAD' });
    const details = (error as ReplyError).details ?? [];
    expect(details.map((d) => d.split(':')[0])).toEqual(
      expect.arrayContaining(['origin', 'instrument', 'kind', 'amount']),
    );
    const jsm = await jetstreamManager(harness.link.connection);
    const stream = createStreams(harness.root).DLQ.name;
    await expectEventually(async () => {
      const last = await jsm.streams.getMessage(stream, {
        last_by_subj: harness.subjects.dlq('venue-connectors'),
      });
      const letter = decodePayload(DeadLetterV1, last?.data ?? new Uint8Array());
      expect(letter.ok && letter.value.subject).toBe(subject('create-order'));
      expect(letter.ok && letter.value.reason).toContain('instrument');
    }, 5_000);
  });

  it('reports the session diagnostics', async () => {
    const status = await client.request(subject('status'), { v: 1 }, VENUE_OPS.status.result);
    expect(status).toMatchObject({
      venue: 'paper',
      account: 'rpc-1',
      state: 'Running',
      reason: null,
      breaker: 'closed',
      reconciling: false,
      subscriptions: ['ETH/USDT'],
    });
    expect(status.roundTripMs).not.toBeNull();
    expect(status.serverTimeOffsetMs).not.toBeNull();
  });

  it('serves balances, deposit addresses and transfers between sub-accounts', async () => {
    const balance = await client.request(
      subject('fetch-balance'),
      { v: 1 },
      VENUE_OPS['fetch-balance'].result,
    );
    expect(balance.balances.find((b) => b.currency === 'USDT')).toBeDefined();
    const address = await client.request(
      subject('fetch-deposit-address'),
      { v: 1, currency: 'BTC' },
      VENUE_OPS['fetch-deposit-address'].result,
    );
    expect(address.address.length).toBeGreaterThan(10);
    const moved = await client.request(
      subject('transfer'),
      {
        v: 1,
        origin: { flowId: 'rpc-flow', step: 3, child: 0 },
        currency: 'USDT',
        amount: '10',
        fromAccount: 'rpc-1',
        toAccount: 'rpc-1-sub',
      },
      VENUE_OPS.transfer.result,
    );
    expect(moved).toMatchObject({ currency: 'USDT', amount: '10', to: 'rpc-1-sub' });
    expect(paper.exchange.balances('rpc-1-sub')).toEqual([{ currency: 'USDT', free: '10', locked: '0' }]);
  });
});
