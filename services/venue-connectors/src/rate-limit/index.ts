// The venue rate budget: shared by every replica through JetStream KV. See the service README.
export {
  VenueRateBudget,
  type VenueRateBudgetOptions,
  type VenueRateBudgetStats,
} from './venue-rate-budget.js';
export { isCasConflict, KvBudgetLedger, type BudgetLedger, type Lease } from './budget-ledger.js';
export type { AcquireKind, BudgetGrant } from './budget-queue.js';
export type { WindowBudgetStats } from './window-budget.js';
export type { Penalty, PenaltyStatus, PauseState } from './penalty-backoff.js';
export { RateBudgetError, type RateBudgetErrorCode } from './rate-budget.exception.js';
export {
  RATE_BUDGET_DEFAULTS,
  validateRateBudgetSettings,
  type RateBudgetSettings,
} from './rate-budget.settings.js';
export { MemoryBudgetLedger } from './memory-budget-ledger.js';
