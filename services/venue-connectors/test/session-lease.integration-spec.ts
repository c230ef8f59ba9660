import { Kvm } from '@nats-io/kv';
import { createBuckets } from '@tm/contracts';
import { expectEventually } from '@tm/testing';
import { PaperVenue } from '@tm/venues';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SessionHarness, type TestSession } from './session-harness.js';

// Two replicas of the service configured with the same venue account: one streams and reconciles,
// the other stands by (and still places orders); when the streaming one stops, the other takes over.
describe('one streaming replica per venue account (real NATS KV lease)', () => {
  let harness: SessionHarness;
  let paper: PaperVenue;
  let first: TestSession;
  let second: TestSession;
  const account = { venue: 'paper', account: 'leased-1', instruments: ['BTC/USDT'] };

  beforeAll(async () => {
    harness = await SessionHarness.open(inject('natsUrl'), inject('databaseUrl'), { leaseTtlMs: 1_500 });
    paper = new PaperVenue({ seed: 11 });
    first = await harness.session(account, paper.adapter('leased-1'), 'replica-a');
    second = await harness.session(account, paper.adapter('leased-1'), 'replica-b');
  });
  afterAll(async () => {
    paper.stop();
    await harness.close();
  });

  it('lets exactly one replica stream; the other says who does', async () => {
    first.session.start();
    await expectEventually(() => expect(first.session.status().streaming).toBe(true), 10_000);
    second.session.start();
    await expectEventually(
      () => expect(second.session.status().reason).toBe('standby: paper/leased-1 is streamed by replica-a'),
      10_000,
    );
    expect(second.session.status()).toMatchObject({ streaming: false, state: 'Running' });
    // A standby replica still serves orders: the registry and the venue are shared.
    const order = await second.session.desk.create({
      v: 1,
      origin: { flowId: 'lease', step: 0, child: 0 },
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '0.001',
      price: '10000.00',
    });
    expect((await first.registry.get(order.clientOrderId))?.status).toBe('open');
  });

  it('hands the account to the other replica when the streaming one stops', async () => {
    await first.session.stop();
    expect(first.session.status().streaming).toBe(false);
    await expectEventually(() => {
      const status = second.session.status();
      expect(status).toMatchObject({ streaming: true, reason: null, reconciling: false });
      expect(status.lastReconciledAt).not.toBeNull();
    }, 10_000);
  });

  it('takes over from a replica that died holding the lease, once its claim expires', async () => {
    const crashed = { venue: 'paper', account: 'leased-2', instruments: ['ETH/USDT'] };
    const kv = await new Kvm(harness.link.connection).open(createBuckets(harness.root).VENUE_SESSIONS);
    await kv.create('paper.leased-2', 'replica-gone');
    const survivor = await harness.session(crashed, paper.adapter('leased-2'), 'replica-c');
    survivor.session.start();
    await expectEventually(
      () =>
        expect(survivor.session.status().reason).toBe('standby: paper/leased-2 is streamed by replica-gone'),
      10_000,
    );
    await expectEventually(() => expect(survivor.session.status().streaming).toBe(true), 15_000);
    expect((await kv.get('paper.leased-2'))?.string()).toBe('replica-c');
  });
});
