import { env, PRODUCT_DEFAULTS } from '@tm/config';
import { PUSH_EVENTS_KEPT_PER_TOPIC } from '@tm/contracts';
import { hostedConfigSpec } from '@tm/service-host';
import { TIME_SPAN_PATTERN } from '../auth/time-span.js';

/** What a development start signs tokens with when TM_JWT_SECRET is unset; a production start refuses it. */
export const DEVELOPMENT_JWT_SECRET = 'tm-engine-development-secret-do-not-use-in-production';

/** ws-gateway's configuration: the platform's fields, authentication, the watch tree and the push window. */
export const wsGatewayConfigSpec = {
  ...hostedConfigSpec(7400),
  jwtSecret: env.secret('TM_JWT_SECRET', { default: DEVELOPMENT_JWT_SECRET }),
  jwtAccessExpiry: env.string('TM_JWT_ACCESS_EXPIRY', {
    default: PRODUCT_DEFAULTS.jwtAccessExpiry,
    pattern: TIME_SPAN_PATTERN,
    expected: 'a time span like 15m, 1h or 7d',
  }),
  jwtRefreshExpiry: env.string('TM_JWT_REFRESH_EXPIRY', {
    default: PRODUCT_DEFAULTS.jwtRefreshExpiry,
    pattern: TIME_SPAN_PATTERN,
    expected: 'a time span like 15m, 1h or 7d',
  }),
  /** The first admin, created on the first start when no user exists yet. */
  adminUser: env.string('TM_ADMIN_USER', { default: 'admin', pattern: /^[A-Za-z0-9._@-]{1,64}$/ }),
  adminPassword: env.optionalString('TM_ADMIN_PASSWORD', {
    expected: 'the first admin password (at least 12 characters in production)',
  }),
  loginMaxAttempts: env.int('TM_LOGIN_MAX_ATTEMPTS', { default: PRODUCT_DEFAULTS.loginMaxAttempts, min: 1 }),
  loginWindowMs: env.durationMs('TM_LOGIN_WINDOW', { default: PRODUCT_DEFAULTS.loginWindowMs, min: 1_000 }),
  /** The server's keepalive ping on every socket. */
  pingIntervalMs: env.durationMs('TM_WS_PING_INTERVAL', {
    default: PRODUCT_DEFAULTS.websocketPingMs,
    min: 1_000,
  }),
  /** At most one push per connection per this long. */
  pushWindowMs: env.durationMs('TM_PUSH_WINDOW', { default: PRODUCT_DEFAULTS.gatewayPushBatchMs, min: 10 }),
  /** Bytes held for one connection between pushes: state conflates, events past it are cut with a marker. */
  maxPendingBytes: env.int('TM_PUSH_MAX_PENDING_BYTES', { default: 1_048_576, min: 1_024 }),
  /** How long a poll keeps its topics subscribed: three of the dashboard's 3 s polls. */
  pollLeaseMs: env.durationMs('TM_PUSH_POLL_LEASE', {
    default: 3 * PRODUCT_DEFAULTS.dashboardPollMs,
    min: 1_000,
  }),
  /** Events a new watch of an event topic starts with (stream PUSH keeps more per topic, for resumes). */
  eventBackfill: env.int('TM_PUSH_BACKFILL', {
    default: PRODUCT_DEFAULTS.eventBackfillCount,
    min: 0,
    max: PUSH_EVENTS_KEPT_PER_TOPIC,
  }),
  /** Topics one connection's patterns may expand to. */
  maxTopicsPerConnection: env.int('TM_PUSH_MAX_TOPICS', { default: 1_000, min: 1 }),
  /** How long a flow command (start, cancel, get) waits for the flow engine before answering 503. */
  flowRequestTimeoutMs: env.durationMs('TM_FLOW_REQUEST_TIMEOUT', { default: 5_000, min: 100, max: 60_000 }),
  /** Flows one socket follows for `flow:progress` at most; past it the longest-followed one is dropped. */
  maxFollowedFlows: env.int('TM_FLOW_MAX_FOLLOWED', { default: 1_000, min: 1 }),
};
