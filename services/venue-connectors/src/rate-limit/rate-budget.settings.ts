// The numbers that shape a venue account's rate budget; the one place their defaults live (the
// rates and the backoff cap are the product's, from @tm/config).
import { PRODUCT_DEFAULTS } from '@tm/config';
import { RateBudgetError } from './rate-budget.exception.js';

export interface RateBudgetSettings {
  /** Market-data messages per second per venue account, shared by every replica. */
  dataPerSecond: number;
  /** Execution messages (orders, cancels, order queries) per second per venue account. */
  executionPerSecond: number;
  /** Fraction of each execution window only cancels may use, so a cancel is never starved by orders. */
  cancelReserveFraction: number;
  /** Tokens a replica leases at once, as a fraction of the rate (at least one). */
  leaseFraction: number;
  /** First pause after a 429/418 without Retry-After; doubles on each repeat. */
  initialBackoffMs: number;
  /** Ceiling of the doubling pause. */
  maxBackoffMs: number;
  /** Lifetime of the bucket's keys; must outlive the longest pause so late replicas still see it. */
  keyTtlMs: number;
}

/** The product's defaults; the service config builds its settings from these. */
export const RATE_BUDGET_DEFAULTS: Readonly<RateBudgetSettings> = Object.freeze({
  dataPerSecond: PRODUCT_DEFAULTS.venueDataMsgPerSec,
  executionPerSecond: PRODUCT_DEFAULTS.venueExecMsgPerSec,
  cancelReserveFraction: 0.2,
  leaseFraction: 0.05,
  initialBackoffMs: 1_000,
  maxBackoffMs: PRODUCT_DEFAULTS.reconnectMaxBackoffMs,
  keyTtlMs: 120_000,
});

/** Refuses settings that would make a budget that never grants or never expires. */
export function validateRateBudgetSettings(settings: RateBudgetSettings): RateBudgetSettings {
  const positiveIntegers = [
    'dataPerSecond',
    'executionPerSecond',
    'initialBackoffMs',
    'maxBackoffMs',
    'keyTtlMs',
  ] as const;
  for (const name of positiveIntegers) {
    const value = settings[name];
    if (!Number.isInteger(value) || value <= 0) {
      throw new RateBudgetError('INVALID_SETTINGS', `${name} must be a positive integer, got ${value}`);
    }
  }
  for (const name of ['cancelReserveFraction', 'leaseFraction'] as const) {
    const value = settings[name];
    if (!Number.isFinite(value) || value < 0 || value >= 1) {
      throw new RateBudgetError('INVALID_SETTINGS', `${name} must be in [0, 1), got ${value}`);
    }
  }
  if (settings.maxBackoffMs < settings.initialBackoffMs) {
    throw new RateBudgetError('INVALID_SETTINGS', 'maxBackoffMs must not be below initialBackoffMs');
  }
  if (settings.keyTtlMs < settings.maxBackoffMs) {
    throw new RateBudgetError('INVALID_SETTINGS', 'keyTtlMs must not be below maxBackoffMs');
  }
  return settings;
}
