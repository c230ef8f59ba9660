// The venue rate budget against a real NATS: two budget instances on two connections stand for two replicas.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { expectEventually, uniqueSubjectRoot } from '@tm/testing';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  KvBudgetLedger,
  RATE_BUDGET_DEFAULTS,
  VenueRateBudget,
  type AcquireKind,
  type BudgetGrant,
  type RateBudgetSettings,
} from '../src/rate-limit/index.js';

const settings: RateBudgetSettings = {
  ...RATE_BUDGET_DEFAULTS,
  executionPerSecond: 10,
  dataPerSecond: 20,
  cancelReserveFraction: 0.2, // 2 of every 10 positions are for cancels only
  leaseFraction: 0.2, // leases of 2 tokens, so replicas contend on the window counters
};

interface Replica {
  budget: VenueRateBudget;
  ledger: KvBudgetLedger;
  grants: BudgetGrant[];
  errors: unknown[];
  acquire(kind: AcquireKind, count?: number): void;
}

/** A clock the test moves by hand, so which window a grant lands in never depends on timing. */
function handClock(): { now: () => number; advance: (ms: number) => void } {
  let now = Math.floor(Date.now() / 1_000) * 1_000 + 100;
  return { now: () => now, advance: (ms) => (now += ms) };
}

function countBy(grants: BudgetGrant[], key: (grant: BudgetGrant) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const grant of grants) counts[key(grant)] = (counts[key(grant)] ?? 0) + 1;
  return counts;
}

describe('venue rate budget shared through JetStream KV', () => {
  const connections: NatsConnection[] = [];
  const replicas: Replica[] = [];
  let bucket = '';

  async function replica(clock?: () => number): Promise<Replica> {
    const nc = await connect({ servers: inject('natsUrl'), name: 'venue-connectors-test/rate-limit' });
    connections.push(nc);
    const ledger = await KvBudgetLedger.open(nc, bucket, settings, clock);
    const budget = await VenueRateBudget.open({ ledger, venue: 'binance', account: 'main', settings, clock });
    const grants: BudgetGrant[] = [];
    const errors: unknown[] = [];
    const created: Replica = {
      budget,
      ledger,
      grants,
      errors,
      acquire(kind, count = 1) {
        for (let i = 0; i < count; i += 1) {
          budget.acquire(kind).then(
            (grant) => grants.push(grant),
            (error: unknown) => errors.push(error),
          );
        }
      },
    };
    replicas.push(created);
    return created;
  }

  async function windowCount(ledger: KvBudgetLedger, window: number): Promise<number> {
    const entry = await ledger.kv.get(`binance.main.execution.${window}`);
    return entry ? Number(entry.string()) : 0;
  }

  function fresh(): void {
    bucket = `${uniqueSubjectRoot()}_VENUE_BUDGET`;
  }

  afterEach(async () => {
    const closing = replicas.splice(0);
    for (const { budget } of closing) await budget.close();
    await closing[0]?.ledger.kv.destroy();
    for (const nc of connections.splice(0)) await nc.close();
  });

  it('never lets two replicas together exceed the rate, or orders the reserve, in any window', async () => {
    fresh();
    const [a, b] = [await replica(), await replica()];
    for (const r of [a, b]) {
      r.acquire('order', 15);
      r.acquire('cancel', 5);
    }
    await expectEventually(() => expect(a.grants.length + b.grants.length).toBe(40), 20_000);
    const all = [...a.grants, ...b.grants];
    const perWindow = countBy(all, (grant) => String(grant.window));
    const ordersPerWindow = countBy(
      all.filter((grant) => grant.kind === 'order'),
      (grant) => String(grant.window),
    );
    for (const [window, count] of Object.entries(perWindow)) {
      expect(count, `window ${window}`).toBeLessThanOrEqual(10);
      expect(await windowCount(a.ledger, Number(window)), `window ${window} counter`).toBeLessThanOrEqual(10);
    }
    for (const count of Object.values(ordersPerWindow)) expect(count).toBeLessThanOrEqual(8);
    expect(Object.keys(perWindow).length).toBeGreaterThanOrEqual(4);
    expect(countBy(all, (grant) => grant.kind)).toEqual({ order: 30, cancel: 10 });
    expect(a.errors).toEqual([]);
  });

  it('serves cancels ahead of queued orders and keeps the headroom for cancels only', async () => {
    fresh();
    const clock = handClock();
    const window = Math.floor(clock.now() / 1_000);
    const [a, b] = [await replica(clock.now), await replica(clock.now)];
    a.acquire('order', 12);
    await expectEventually(() => expect(a.grants).toHaveLength(8), 5_000);
    b.acquire('order', 1);
    b.acquire('cancel', 3);
    await expectEventually(() => expect(b.grants).toHaveLength(2), 5_000);
    expect(b.grants.map((grant) => [grant.kind, grant.window])).toEqual([
      ['cancel', window],
      ['cancel', window],
    ]);
    expect(await windowCount(a.ledger, window)).toBe(10);
    expect(a.budget.stats().execution.queuedByKind.order).toBe(4);
    expect(b.budget.stats().execution.queuedByKind).toMatchObject({ cancel: 1, order: 1 });

    clock.advance(1_000);
    await expectEventually(() => expect(a.grants.length + b.grants.length).toBe(16), 5_000);
    expect(b.grants.slice(2).map((grant) => [grant.kind, grant.window])).toEqual([
      ['cancel', window + 1],
      ['order', window + 1],
    ]);
    expect(await windowCount(a.ledger, window + 1)).toBe(6);
    expect(a.budget.stats().execution.throttled).toBeGreaterThanOrEqual(4);
  });

  it('pauses every replica when one reports a 429, including replicas that start later', async () => {
    fresh();
    const clock = handClock();
    const [a, b] = [await replica(clock.now), await replica(clock.now)];
    const pause = await a.budget.penalise({ status: 429, retryAfterMs: 5_000 });
    expect(pause.untilMs).toBe(clock.now() + 5_000);
    await expectEventually(() => expect(b.budget.stats().pausedUntilMs).toBe(pause.untilMs), 5_000);
    b.acquire('order');
    b.acquire('data');
    await expectEventually(() => {
      expect(b.budget.stats().execution.throttled).toBe(1);
      expect(b.budget.stats().data.throttled).toBe(1);
    }, 5_000);
    expect(b.grants).toEqual([]);

    const late = await replica(clock.now);
    await expectEventually(() => expect(late.budget.stats().pausedUntilMs).toBe(pause.untilMs), 5_000);

    clock.advance(5_000);
    await expectEventually(() =>
      expect(b.grants.map((grant) => grant.kind).sort()).toEqual(['data', 'order']),
    );
    expect(a.budget.stats().penaltiesTotal).toEqual({ 429: 1, 418: 0 });
  });

  it('rejects acquires still waiting when the budget closes', async () => {
    fresh();
    const clock = handClock();
    const a = await replica(clock.now);
    a.acquire('order', 9);
    await expectEventually(() => expect(a.grants).toHaveLength(8), 5_000);
    await a.budget.close();
    await expectEventually(() => expect(a.errors).toHaveLength(1));
    expect(a.errors[0]).toMatchObject({ name: 'RateBudgetError', code: 'CLOSED' });
    await expect(a.budget.acquire('cancel')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
