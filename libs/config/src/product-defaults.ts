// The "Defaults from the product" table of ARCHITECTURE.md, written once. Services take these as the
// defaults of their config fields; no other file repeats one of these numbers.
const DEFAULTS = {
  // aggregation tick / broadcast
  aggregationTickMs: 100,
  aggregationBroadcastMs: 500,
  // gateway push batch per connection
  gatewayPushBatchMs: 100,
  // websocket keepalive ping; dashboard safety poll
  websocketPingMs: 20_000,
  dashboardPollMs: 3_000,
  // event backfill on connect
  eventBackfillCount: 50,
  // heartbeat tick: every process reports a snapshot
  heartbeatSnapshotMs: 60_000,
  // liveness: a beacon every 10 s, stale after 30 s without one
  beaconIntervalMs: 10_000,
  staleAfterMs: 30_000,
  // persistence batch: 5,000 rows, every 5 min or when full
  persistBatchRows: 5_000,
  persistFlushMs: 300_000,
  // digest: eager while active, lazy when idle
  digestEagerMs: 60_000,
  digestLazyMs: 300_000,
  // venue rate limits per venue account
  venueDataMsgPerSec: 500,
  venueExecMsgPerSec: 100,
  // reconnect: exponential backoff with jitter, capped
  reconnectMaxBackoffMs: 60_000,
  // circuit breaker: trips at 5 failures in 60 s, half-open after 30 s
  breakerFailureThreshold: 5,
  breakerWindowMs: 60_000,
  breakerHalfOpenAfterMs: 30_000,
  // replay table `_replays`, and the graceful drain
  replayMaxRetries: 1_000,
  replayBatchPerTick: 20,
  replayInitialDelayMs: 5_000,
  drainTimeoutMs: 15_000,
  // cost ledger: 30-day retention, hourly sweeper in 10,000-row batches
  costRetentionDays: 30,
  costSweepIntervalMs: 3_600_000,
  costSweepBatchRows: 10_000,
  // log buffers per service
  logBufferLines: 500,
  // login: 5 attempts per 60 s per IP
  loginMaxAttempts: 5,
  loginWindowMs: 60_000,
  // JWT (jose): expiries in jose's time-span notation; production refuses a shorter secret
  jwtAccessExpiry: '15m',
  jwtRefreshExpiry: '7d',
  jwtMinSecretLength: 32,
};

export type ProductDefaults = Readonly<typeof DEFAULTS>;

export const PRODUCT_DEFAULTS: ProductDefaults = Object.freeze(DEFAULTS);
