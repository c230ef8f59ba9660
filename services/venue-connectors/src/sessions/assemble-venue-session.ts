import type { KV } from '@nats-io/kv';
import type { Subjects } from '@tm/contracts';
import type { LifecycleMachine } from '@tm/lifecycle';
import type { NatsLink } from '@tm/messaging';
import type { Logger, MetricsRegistry } from '@tm/telemetry';
import type { CcxtThrottle, VenueAdapter } from '@tm/venues';
import type { DataSource } from 'typeorm';
import type { VenueAccountConfig } from '../config/venue-account.config.js';
import { ExecutionEvents } from '../execution/execution-events.js';
import type { ExecutionOutbox } from '../execution/execution-outbox.js';
import { MarketDataPublisher } from '../market-data/market-data.publisher.js';
import type { ExecutionThrottle } from '../orders/execution-throttle.js';
import { OrderDesk } from '../orders/order-desk.js';
import { OrderRegistry } from '../orders/order-registry.js';
import { VenueRateBudget, type BudgetLedger, type RateBudgetSettings } from '../rate-limit/index.js';
import { Reconciler } from '../reconciliation/reconciler.js';
import { ReconciliationGate } from '../reconciliation/reconciliation-gate.js';
import { SessionLease } from './session-lease.js';
import { VenueCallGuard, type BreakerSettings } from './venue-call-guard.js';
import { VenueSession, type VenueSessionSettings } from './venue-session.js';

/** Sends of one order before it is left in flight for reconciliation. */
const MAX_SENDS = 3;
/** How far back reconciliation looks for fills of an instrument with none stored. */
const FILL_LOOKBACK_MS = 24 * 3_600_000;

export interface SessionInfrastructure {
  link: NatsLink;
  subjects: Subjects;
  dataSource: DataSource;
  schema: string;
  outbox: ExecutionOutbox;
  ledger: BudgetLedger;
  budgetSettings: RateBudgetSettings;
  breaker: BreakerSettings;
  session: VenueSessionSettings;
  orderResolveWindowMs: number;
  /** Which replica streams each account; absent, every session streams (one replica, or tests). */
  leases?: { kv: KV; instance: string; ttlMs: number };
  metrics?: MetricsRegistry;
  logger: Logger;
}

/** What an adapter is given of the account's shared budget (ccxt's CcxtThrottle). */
export type VenueBudgetHooks = CcxtThrottle;

export interface AssembledSession {
  session: VenueSession;
  adapter: VenueAdapter;
  budget: VenueRateBudget;
  gate: ReconciliationGate;
  registry: OrderRegistry;
}

/**
 * Wires one venue account's parts — shared rate budget, breaker, order registry and desk, reconciler,
 * market-data publisher — around its adapter and lifecycle feature. The service and the integration
 * tests build sessions the same way, through here.
 */
export async function assembleVenueSession(
  infra: SessionInfrastructure,
  account: VenueAccountConfig,
  adapterFor: (budget: VenueBudgetHooks) => VenueAdapter,
  machine: LifecycleMachine,
): Promise<AssembledSession> {
  const name = `${account.venue}/${account.account}`;
  const logger = infra.logger.child({ session: name });
  const budget = await VenueRateBudget.open({
    ledger: infra.ledger,
    venue: account.venue,
    account: account.account,
    settings: infra.budgetSettings,
    ...(infra.metrics ? { metrics: infra.metrics } : {}),
    logger,
  });
  const throttle: ExecutionThrottle = {
    acquire: (kind) => budget.acquire(kind),
    penalise: (error) =>
      budget.penalise({
        status: 429,
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      }),
  };
  // Market-data requests spend the data budget; any 429/418 pauses every replica.
  const adapter = adapterFor({
    data: () => budget.acquire('data'),
    rateLimited: (retryAfterMs) =>
      budget.penalise({ status: 429, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }),
  });
  const guard = new VenueCallGuard(name, infra.breaker, (state) =>
    logger.warn({ breaker: state }, `circuit breaker ${state}`),
  );
  const events = new ExecutionEvents(account.venue, account.account);
  const registry = new OrderRegistry(infra.dataSource, infra.schema, events, infra.outbox);
  const gate = new ReconciliationGate();
  const desk = new OrderDesk(
    adapter,
    registry,
    throttle,
    guard,
    gate,
    { resolveWindowMs: infra.orderResolveWindowMs, maxSends: MAX_SENDS },
    logger,
  );
  const reconciler = new Reconciler(
    adapter,
    registry,
    events,
    infra.outbox,
    infra.dataSource,
    infra.schema,
    throttle,
    guard,
    gate,
    {
      unknownOrders: account.unknownOrders,
      instruments: account.instruments,
      fillLookbackMs: FILL_LOOKBACK_MS,
    },
    logger,
  );
  const session = new VenueSession({
    venue: account.venue,
    account: account.account,
    instruments: account.instruments,
    adapter,
    machine,
    marketData: new MarketDataPublisher(infra.link, infra.subjects, account.venue),
    registry,
    desk,
    reconciler,
    gate,
    guard,
    throttled: () => budgetCounters(budget),
    settings: infra.session,
    logger,
  });
  if (infra.leases) {
    const { kv, instance, ttlMs } = infra.leases;
    session.useLease(
      new SessionLease(
        kv,
        `${account.venue}.${account.account}`,
        instance,
        ttlMs,
        (held, holder) => session.leaseChanged(held, holder),
        logger,
      ),
    );
  }
  return { session, adapter, budget, gate, registry };
}

/** The budget's throttling counters as flat numbers, for the session's status. */
function budgetCounters(budget: VenueRateBudget): Record<string, number> {
  const stats = budget.stats();
  return {
    dataQueued: stats.data.queued,
    dataThrottled: stats.data.throttled,
    executionQueued: stats.execution.queued,
    executionThrottled: stats.execution.throttled,
    penalties429: stats.penaltiesTotal[429],
    penalties418: stats.penaltiesTotal[418],
    pausedSeconds: stats.pausedSecondsTotal,
  };
}
