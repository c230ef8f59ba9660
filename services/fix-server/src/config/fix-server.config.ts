import { env, PRODUCT_DEFAULTS } from '@tm/config';
import { hostedConfigSpec } from '@tm/service-host';
import {
  LIQUIDITY_PROVIDERS_EXPECTED,
  LiquidityProviderList,
} from '../liquidity/liquidity-provider.config.js';

/** What a development start accepts on the admin API when TM_FIX_ADMIN_TOKEN is unset; production refuses it. */
export const DEVELOPMENT_FIX_ADMIN_TOKEN = 'tm-engine-development-fix-admin-token';

/** fix-server's configuration: the platform's fields, the FIX listeners and the admin API; HTTP on port 7404. */
export const fixServerConfigSpec = {
  ...hostedConfigSpec(7404),
  /** Our SenderCompID on every client session. */
  compId: env.string('TM_FIX_COMP_ID', {
    default: 'TM',
    pattern: /^[A-Za-z0-9_.-]{1,32}$/,
    expected: 'a CompID of 1–32 letters, digits or _.-',
  }),
  fixHost: env.string('TM_FIX_HOST', {
    default: '0.0.0.0',
    expected: 'an interface address such as 0.0.0.0 or 127.0.0.1',
  }),
  /** Plain TCP FIX; 0 picks a free port (tests). */
  tcpPort: env.port('TM_FIX_TCP_PORT', { default: 9880 }),
  /** TLS FIX, served only when both TM_FIX_TLS_CERT and TM_FIX_TLS_KEY are given. */
  tlsPort: env.port('TM_FIX_TLS_PORT', { default: 9881 }),
  fixTlsCertFile: env.optionalString('TM_FIX_TLS_CERT', {
    expected: 'the path of a PEM certificate (chain)',
  }),
  fixTlsKeyFile: env.optionalString('TM_FIX_TLS_KEY', { expected: 'the path of the PEM private key' }),
  /** Bearer token of the admin API (clients: create, enable, disable, change password). */
  adminToken: env.secret('TM_FIX_ADMIN_TOKEN', { default: DEVELOPMENT_FIX_ADMIN_TOKEN, minLength: 16 }),
  /** Failed Logons per client address in the window before that address is refused unchecked. */
  logonMaxFailures: env.int('TM_FIX_LOGON_MAX_FAILURES', {
    default: PRODUCT_DEFAULTS.loginMaxAttempts,
    min: 1,
  }),
  logonWindowMs: env.durationMs('TM_FIX_LOGON_WINDOW', {
    default: PRODUCT_DEFAULTS.loginWindowMs,
    min: 1_000,
  }),
  /** A new client's limits when the admin API does not give them. */
  defaultMessageRate: env.int('TM_FIX_DEFAULT_MSG_RATE', { default: 100, min: 1, max: 100_000 }),
  defaultMaxSubscriptions: env.int('TM_FIX_DEFAULT_MAX_SUBSCRIPTIONS', { default: 50, min: 0, max: 10_000 }),
  /** The venue of a NewOrderSingle without ExDestination(100). */
  defaultVenue: env.string('TM_FIX_DEFAULT_VENUE', {
    default: 'paper',
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    expected: 'a venue id like paper or binance',
  }),
  /** How long an order, cancel or replace waits for the flow engine's answer. */
  flowTimeoutMs: env.durationMs('TM_FIX_FLOW_TIMEOUT', { default: 5_000, min: 100 }),
  /** How long a MarketDataRequest waits for the instrument's first snapshot before it is refused. */
  snapshotTimeoutMs: env.durationMs('TM_FIX_MD_SNAPSHOT_TIMEOUT', { default: 1_000, min: 50 }),
  /** How often each session's round trip is measured with our own TestRequest; 0s turns it off. */
  probeIntervalMs: env.durationMs('TM_FIX_PROBE_INTERVAL', { default: 30_000, min: 0 }),
  /** Initiator sessions to liquidity providers whose market data becomes ticks and books (source fix:<name>). */
  liquidityProviders: env.json('TM_FIX_LIQUIDITY_PROVIDERS', LiquidityProviderList, {
    default: [],
    expected: LIQUIDITY_PROVIDERS_EXPECTED,
  }),
  /** How often sequence numbers and sent messages are written to PostgreSQL (group commit of every session). */
  storeFlushMs: env.durationMs('TM_FIX_STORE_FLUSH', { default: 5, min: 1, max: 1_000 }),
};
