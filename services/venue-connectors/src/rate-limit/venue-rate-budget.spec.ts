import { MetricsRegistry } from '@tm/telemetry';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AcquireKind, BudgetGrant } from './budget-queue.js';
import { MemoryBudgetLedger } from './memory-budget-ledger.js';
import { RateBudgetError } from './rate-budget.exception.js';
import { RATE_BUDGET_DEFAULTS, type RateBudgetSettings } from './rate-budget.settings.js';
import { VenueRateBudget, type VenueRateBudgetOptions } from './venue-rate-budget.js';

const START_MS = 1_700_000_000_000; // a whole second, so the first window is a full one
const W = START_MS / 1_000;
const settings: RateBudgetSettings = {
  ...RATE_BUDGET_DEFAULTS,
  dataPerSecond: 100,
  executionPerSecond: 10,
  cancelReserveFraction: 0.2,
};

/** Lets every pending promise chain run (real setImmediate; only timers and Date are faked). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

function recorder(budget: VenueRateBudget) {
  const grants: BudgetGrant[] = [];
  const errors: unknown[] = [];
  const acquire = (kind: AcquireKind, count = 1): void => {
    for (let i = 0; i < count; i += 1) {
      budget.acquire(kind).then(
        (grant) => grants.push(grant),
        (error: unknown) => errors.push(error),
      );
    }
  };
  const perWindow = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const { kind, window } of grants) {
      const key = `${window - W}:${kind}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };
  return { grants, errors, acquire, perWindow };
}

describe('VenueRateBudget (in-memory ledger, fake clock)', () => {
  let ledger: MemoryBudgetLedger;
  const open: VenueRateBudget[] = [];
  const make = async (extra: Partial<VenueRateBudgetOptions> = {}): Promise<VenueRateBudget> => {
    const budget = await VenueRateBudget.open({
      ledger,
      venue: 'paper',
      account: 'main',
      settings,
      ...extra,
    });
    open.push(budget);
    return budget;
  };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(START_MS);
    ledger = new MemoryBudgetLedger();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((budget) => budget.close()));
    vi.useRealTimers();
  });

  it('lets orders use the window up to the cancel reserve, then waits for the next window', async () => {
    const budget = await make();
    const log = recorder(budget);
    log.acquire('order', 20);
    await settle();
    expect(log.perWindow()).toEqual({ '0:order': 8 });
    await advance(1_000);
    await advance(1_000);
    expect(log.perWindow()).toEqual({ '0:order': 8, '1:order': 8, '2:order': 4 });
    expect(budget.stats().execution).toMatchObject({ granted: 20, throttled: 12, queued: 0 });
    expect(ledger.counters.get(`paper.main.execution.${W}`)).toBe(8);
  });

  it('serves cancels queued after orders first', async () => {
    const budget = await make();
    const log = recorder(budget);
    log.acquire('order', 12);
    log.acquire('cancel', 3);
    await settle();
    expect(log.grants.slice(0, 3).map((grant) => grant.kind)).toEqual(['cancel', 'cancel', 'cancel']);
    // Cancels took shared positions 0-2; orders may only fill positions below the reserve (8).
    expect(log.perWindow()).toEqual({ '0:cancel': 3, '0:order': 5 });
  });

  it('keeps the reserved headroom for cancels that arrive once orders have used the rest', async () => {
    const budget = await make();
    const log = recorder(budget);
    log.acquire('order', 10);
    await settle();
    expect(log.perWindow()).toEqual({ '0:order': 8 });
    log.acquire('cancel', 3);
    await settle();
    expect(log.perWindow()).toEqual({ '0:order': 8, '0:cancel': 2 });
    expect(budget.stats().execution.queuedByKind).toMatchObject({ cancel: 1, order: 2 });
    await advance(1_000);
    expect(log.perWindow()).toEqual({ '0:order': 8, '0:cancel': 2, '1:cancel': 1, '1:order': 2 });
    expect(log.grants.slice(10, 11).map((grant) => grant.kind)).toEqual(['cancel']);
  });

  it('lets cancels alone use the whole window', async () => {
    const budget = await make();
    const log = recorder(budget);
    log.acquire('cancel', 12);
    await settle();
    expect(log.perWindow()).toEqual({ '0:cancel': 10 });
  });

  it('leases tokens in chunks of rate x leaseFraction, never more than the queue needs', async () => {
    const budget = await make();
    const log = recorder(budget);
    log.acquire('data', 1);
    await settle();
    log.acquire('data', 60);
    await settle();
    expect(log.grants).toHaveLength(61);
    expect(ledger.leases.map((lease) => lease.want)).toEqual([1, ...Array<number>(12).fill(5)]);
    expect(ledger.counters.get(`paper.main.data.${W}`)).toBe(61);
  });

  it('drops leased tokens when their window ends', async () => {
    const budget = await make();
    const log = recorder(budget);
    log.acquire('data', 2); // one lease of 2 tokens
    await settle();
    log.acquire('data', 1); // served from none left: leases again
    await settle();
    expect(ledger.leases.map((lease) => lease.want)).toEqual([2, 1]);
    await advance(1_000);
    log.acquire('data', 1);
    await settle();
    expect(log.perWindow()).toEqual({ '0:data': 3, '1:data': 1 });
    expect(ledger.counters.get(`paper.main.data.${W + 1}`)).toBe(1);
  });

  it('pauses both budgets on every replica sharing the store, then resumes', async () => {
    const first = await make();
    const second = await make();
    const log = recorder(second);
    const pause = await first.penalise({ status: 429 });
    expect(pause.untilMs).toBe(START_MS + 1_000);
    expect(second.stats().pausedUntilMs).toBe(START_MS + 1_000);
    log.acquire('order');
    log.acquire('data');
    await advance(999);
    expect(log.grants).toHaveLength(0);
    expect(second.stats().execution.throttled).toBe(1);
    await advance(1);
    expect(log.grants.map((grant) => grant.kind).sort()).toEqual(['data', 'order']);
    expect(second.stats().pausedSecondsTotal).toBe(1);
    expect(first.stats().penaltiesTotal).toEqual({ 429: 1, 418: 0 });
  });

  it('doubles the pause across replicas while the venue keeps refusing, honouring Retry-After', async () => {
    const first = await make();
    const second = await make();
    await first.penalise({ status: 429 });
    await advance(1_000);
    const doubled = await second.penalise({ status: 429 });
    expect(doubled.untilMs - doubled.atMs).toBe(2_000);
    await advance(2_000);
    const banned = await first.penalise({ status: 418, retryAfterMs: 30_000 });
    expect(banned.untilMs - banned.atMs).toBe(30_000);
    expect(second.stats().pausedUntilMs).toBe(banned.untilMs);
  });

  it('pauses this replica when the store cannot be reached, and retries leases until it returns', async () => {
    const warn = vi.fn();
    const budget = await make({ logger: { warn } });
    const log = recorder(budget);
    ledger.failure = new Error('nats down');
    const pause = await budget.penalise({ status: 429, retryAfterMs: 500 });
    expect(pause.untilMs).toBe(START_MS + 500);
    log.acquire('order', 2);
    await advance(1_000);
    expect(log.grants).toHaveLength(0);
    expect(warn).toHaveBeenCalled();
    ledger.failure = null;
    await advance(250);
    expect(log.grants).toHaveLength(2);
    expect(log.errors).toEqual([]);
  });

  it('rejects waiting acquires on close, leaves no timer, and refuses new ones', async () => {
    const budget = await make();
    const log = recorder(budget);
    log.acquire('order', 9);
    log.acquire('data', 1);
    await settle();
    await budget.penalise({ status: 429 });
    log.acquire('data', 2);
    await settle();
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await budget.close();
    await settle();
    expect(log.grants).toHaveLength(9);
    expect(log.errors).toHaveLength(3);
    for (const error of log.errors) {
      expect(error).toBeInstanceOf(RateBudgetError);
      expect((error as RateBudgetError).code).toBe('CLOSED');
    }
    expect(vi.getTimerCount()).toBe(0);
    await expect(budget.acquire('cancel')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('records queue, throttling, pauses and penalties in the metrics registry', async () => {
    const metrics = new MetricsRegistry({ service: 'venue-connectors', instance: 'test' });
    const budget = await make({ metrics });
    await make({ metrics, account: 'other' }); // a second account shares the registry's series
    const log = recorder(budget);
    log.acquire('order', 10);
    await settle();
    const gauges = await metrics.gaugeValues();
    expect(gauges['tm_venue_budget_queued{account="main",budget="execution",venue="paper"}']).toBe(2);
    await budget.penalise({ status: 418, retryAfterMs: 2_000 });
    const text = await metrics.metrics();
    expect(text).toContain('tm_venue_throttled_total{venue="paper",account="main",budget="execution"');
    expect(text).toMatch(/tm_venue_penalties_total\{venue="paper",account="main",status="418"[^}]*\} 1/);
    expect(text).toMatch(/tm_venue_paused_seconds_total\{venue="paper",account="main"[^}]*\} 2/);
  });

  it('refuses key tokens KV cannot hold and settings that would never grant', async () => {
    await expect(make({ account: 'a.b' })).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(make({ settings: { ...settings, executionPerSecond: 0 } })).rejects.toMatchObject({
      code: 'INVALID_SETTINGS',
    });
    await expect(make({ settings: { ...settings, cancelReserveFraction: 1 } })).rejects.toMatchObject({
      code: 'INVALID_SETTINGS',
    });
  });
});
