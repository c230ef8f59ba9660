import { jetstreamManager } from '@nats-io/jetstream';
import { createStreams, decodePayload, DeadLetterV1, OrderStateV1, VENUE_OPS } from '@tm/contracts';
import { DeadLetterPublisher, ReplyError, RequestClient } from '@tm/messaging';
import { createLogger } from '@tm/telemetry';
import { expectEventually } from '@tm/testing';
import { PaperVenue } from '@tm/venues';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { VenueRpcServer } from '../src/rpc/venue-rpc.server.js';
import { SessionHarness, type TestSession } from './session-harness.js';

// Venue RPC over NATS on the paper venue: typed results, venue codes for venue failures, field-level
// INVALID_PAYLOAD for malformed requests (which are also dead-lettered), diagnostics through `status`,
// instrument specs, and simulated deposits that confirm after the paper venue's delay.
describe('venue RPC (paper venue, real NATS)', () => {
  let harness: SessionHarness;
  let paper: PaperVenue;
  let t: TestSession;
  let server: VenueRpcServer;
  let client: RequestClient;
  const subject = (op: string) => harness.subjects.venueRpc('paper', 'rpc-1', op);

  beforeAll(async () => {
    harness = await SessionHarness.open(inject('natsUrl'), inject('databaseUrl'));
    paper = new PaperVenue({ seed: 3, depositConfirmationMs: 300 });
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

  it('lists the venue’s instruments with their grids', async () => {
    const { instruments } = await client.request(
      subject('fetch-instruments'),
      { v: 1 },
      VENUE_OPS['fetch-instruments'].result,
    );
    expect(instruments.map((i) => i.symbol)).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(instruments.find((i) => i.symbol === 'ETH/USDT')).toEqual({
      symbol: 'ETH/USDT',
      base: 'ETH',
      quote: 'USDT',
      tickSize: '0.01',
      lotSize: '0.0001',
      minAmount: '0.0001',
      minNotional: '5',
      active: true,
    });
  });

  it('simulates a deposit to the account’s address: pending, then ok and in the balance once', async () => {
    const address = await client.request(
      subject('fetch-deposit-address'),
      { v: 1, currency: 'SOL' },
      VENUE_OPS['fetch-deposit-address'].result,
    );
    const solBefore = await solTotal();
    const deposit = await client.request(
      subject('simulate-deposit'),
      { v: 1, currency: 'SOL', amount: '12.5', address: address.address, network: address.network },
      VENUE_OPS['simulate-deposit'].result,
    );
    expect(deposit).toMatchObject({
      currency: 'SOL',
      amount: '12.5',
      address: address.address,
      status: 'pending',
    });
    const listed = () =>
      client
        .request(subject('fetch-deposits'), { v: 1, currency: 'SOL' }, VENUE_OPS['fetch-deposits'].result)
        .then(({ deposits }) => deposits.find((d) => d.depositId === deposit.depositId));
    expect((await listed())?.status).toBe('pending');
    expect(await solTotal()).toBe(solBefore);
    await expectEventually(async () => expect((await listed())?.status).toBe('ok'), 5_000);
    expect(await solTotal()).toBe(new Decimal(solBefore).plus('12.5').toFixed());

    const elsewhere = await client
      .request(
        subject('simulate-deposit'),
        { v: 1, currency: 'SOL', amount: '1', address: 'not-ours' },
        VENUE_OPS['simulate-deposit'].result,
      )
      .catch((e: unknown) => e);
    expect(elsewhere).toMatchObject({ code: 'INVALID_ORDER' });
  });

  it('answers UNSUPPORTED to a simulated deposit on a venue that cannot simulate one', async () => {
    // Like a real venue's adapter: everything but simulateDeposit.
    const noFaucet = Object.assign(paper.adapter('rpc-real'), { simulateDeposit: undefined });
    const other = await harness.session({ venue: 'paper', account: 'rpc-real' }, noFaucet);
    server.serve(other.session);
    const error = await client
      .request(
        harness.subjects.venueRpc('paper', 'rpc-real', 'simulate-deposit'),
        { v: 1, currency: 'USDT', amount: '1' },
        VENUE_OPS['simulate-deposit'].result,
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED' });
    expect(paper.exchange.deposits('rpc-real').map((d) => d.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  async function solTotal(): Promise<string> {
    const balance = await client.request(
      subject('fetch-balance'),
      { v: 1 },
      VENUE_OPS['fetch-balance'].result,
    );
    return balance.balances.find((b) => b.currency === 'SOL')?.total ?? '0';
  }
});
