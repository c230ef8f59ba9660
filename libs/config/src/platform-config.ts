// The config every service shares: where NATS and PostgreSQL are, who this instance is, and the
// timings of the control plane. A service spreads it into its own spec.
import { hostname } from 'node:os';
import { DEFAULT_SUBJECT_ROOT, SUBJECT_ROOT_PATTERN } from '@tm/contracts';
import { env } from './env.js';
import { PRODUCT_DEFAULTS } from './product-defaults.js';

// Instance ids become NATS subject tokens, so the default keeps only token characters.
function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, '-');
}

export const platformConfigSpec = Object.freeze({
  natsServers: env.urlList('TM_NATS_URL', { default: 'nats://127.0.0.1:4222', protocols: ['nats', 'tls'] }),
  databaseUrl: env.url('TM_DATABASE_URL', {
    default: 'postgres://postgres@127.0.0.1:5432/tm',
    protocols: ['postgres', 'postgresql'],
  }),
  subjectRoot: env.string('TM_SUBJECT_ROOT', {
    default: DEFAULT_SUBJECT_ROOT,
    pattern: SUBJECT_ROOT_PATTERN,
    expected: 'a lowercase letter then up to 15 lowercase letters or digits',
  }),
  instanceId: env.string('TM_INSTANCE_ID', {
    default: defaultInstanceId,
    defaultText: '<hostname>-<pid>',
    pattern: /^[A-Za-z0-9_-]+$/,
    expected: 'letters, digits, "_" or "-"',
  }),
  environment: env.oneOf('TM_ENV', ['development', 'production', 'test'], { default: 'development' }),
  logLevel: env.oneOf('TM_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
  }),
  beaconIntervalMs: env.durationMs('TM_BEACON_INTERVAL', {
    default: PRODUCT_DEFAULTS.beaconIntervalMs,
    min: 1,
  }),
  snapshotIntervalMs: env.durationMs('TM_SNAPSHOT_INTERVAL', {
    default: PRODUCT_DEFAULTS.heartbeatSnapshotMs,
    min: 1,
  }),
  staleAfterMs: env.durationMs('TM_STALE_AFTER', { default: PRODUCT_DEFAULTS.staleAfterMs, min: 1 }),
  drainTimeoutMs: env.durationMs('TM_DRAIN_TIMEOUT', { default: PRODUCT_DEFAULTS.drainTimeoutMs }),
  dependencyCheckMs: env.durationMs('TM_DEPENDENCY_CHECK_INTERVAL', { default: 2_000, min: 1 }),
  natsPingIntervalMs: env.durationMs('TM_NATS_PING_INTERVAL', { default: 2_000, min: 1 }),
  natsMaxPingOut: env.int('TM_NATS_MAX_PING_OUT', { default: 2, min: 1 }),
  natsReconnectWaitMs: env.durationMs('TM_NATS_RECONNECT_WAIT', { default: 250 }),
  natsReconnectJitterMs: env.durationMs('TM_NATS_RECONNECT_JITTER', { default: 250 }),
});
