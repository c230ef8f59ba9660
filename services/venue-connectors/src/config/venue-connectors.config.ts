import { env, PRODUCT_DEFAULTS } from '@tm/config';
import { hostedConfigSpec } from '@tm/service-host';
import { RATE_BUDGET_DEFAULTS } from '../rate-limit/index.js';
import { DEFAULT_VENUE_ACCOUNTS, VenueAccountList } from './venue-account.config.js';

/**
 * Every order takes a few short statements (no transaction is held open across a venue call), and the
 * flow engine sends hundreds at once: 5 connections queued them behind each other, and the own-order
 * feed's writes behind them all. See the README for the measurements behind these numbers.
 */
export const VENUE_CONNECTORS_POOL = { poolSize: 12, acquireTimeoutMs: 10_000 };

/** venue-connectors's configuration: the platform's fields, its venue accounts, budgets and timings. */
export const venueConnectorsConfigSpec = {
  ...hostedConfigSpec(7405, VENUE_CONNECTORS_POOL),
  venues: env.json('TM_VENUES', VenueAccountList, {
    default: DEFAULT_VENUE_ACCOUNTS,
    expected:
      'a JSON list of venue accounts like [{"venue":"binance","account":"main","credential":"binance-main","instruments":["BTC/USDT"]}]',
  }),
  credentialsDir: env.optionalString('TM_CREDENTIALS_DIR', {
    expected: 'a directory holding one sub-directory per credential (apiKey, secret, password files)',
  }),
  dataMsgPerSec: env.int('TM_VENUE_DATA_RATE', { default: RATE_BUDGET_DEFAULTS.dataPerSecond, min: 1 }),
  execMsgPerSec: env.int('TM_VENUE_EXEC_RATE', { default: RATE_BUDGET_DEFAULTS.executionPerSecond, min: 1 }),
  /** Percent of each execution window only cancels may use. */
  cancelHeadroomPercent: env.int('TM_VENUE_CANCEL_HEADROOM', {
    default: Math.round(RATE_BUDGET_DEFAULTS.cancelReserveFraction * 100),
    min: 0,
    max: 90,
  }),
  reconnectBaseMs: env.durationMs('TM_VENUE_RECONNECT_BASE', { default: 500, min: 1 }),
  reconnectMaxMs: env.durationMs('TM_VENUE_RECONNECT_MAX', {
    default: PRODUCT_DEFAULTS.reconnectMaxBackoffMs,
    min: 1,
  }),
  idleFeedMs: env.durationMs('TM_VENUE_IDLE_AFTER', { default: 60_000, min: 100 }),
  /** A replica that stops renewing its claim on a venue account loses it this long after. */
  sessionLeaseMs: env.durationMs('TM_VENUE_SESSION_LEASE', { default: 10_000, min: 300 }),
  diagnosticsIntervalMs: env.durationMs('TM_VENUE_DIAGNOSTICS_INTERVAL', { default: 30_000, min: 100 }),
  orderResolveWindowMs: env.durationMs('TM_VENUE_ORDER_RESOLVE_WINDOW', { default: 10_000, min: 1 }),
  breakerFailures: env.int('TM_VENUE_BREAKER_FAILURES', {
    default: PRODUCT_DEFAULTS.breakerFailureThreshold,
    min: 1,
  }),
  breakerWindowMs: env.durationMs('TM_VENUE_BREAKER_WINDOW', {
    default: PRODUCT_DEFAULTS.breakerWindowMs,
    min: 1,
  }),
  breakerHalfOpenMs: env.durationMs('TM_VENUE_BREAKER_HALF_OPEN', {
    default: PRODUCT_DEFAULTS.breakerHalfOpenAfterMs,
    min: 1,
  }),
  paperStepMs: env.durationMs('TM_PAPER_STEP', { default: 100, min: 1 }),
};
