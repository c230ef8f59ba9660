import { env, platformConfigSpec } from '@tm/config';
import { DEFAULT_ACQUIRE_TIMEOUT_MS, DEFAULT_POOL_SIZE } from '@tm/persistence';

/** A service's own defaults for its database pool, where the platform's do not fit its load. */
export interface DatabasePoolDefaults {
  poolSize?: number;
  acquireTimeoutMs?: number;
}

/**
 * The platform's fields plus where the service's HTTP endpoints (health, ready, metrics) listen and
 * how large its database pool is.
 */
export function hostedConfigSpec(defaultHttpPort: number, pool: DatabasePoolDefaults = {}) {
  return {
    ...platformConfigSpec,
    httpPort: env.port('TM_HTTP_PORT', { default: defaultHttpPort }),
    httpHost: env.string('TM_HTTP_HOST', {
      default: '0.0.0.0',
      expected: 'an interface address such as 0.0.0.0 or 127.0.0.1',
    }),
    /** With both, the port serves HTTPS (and socket.io over TLS where the service has it). */
    tlsCertFile: env.optionalString('TM_TLS_CERT', { expected: 'the path of a PEM certificate (chain)' }),
    tlsKeyFile: env.optionalString('TM_TLS_KEY', { expected: 'the path of the PEM private key' }),
    /** PostgreSQL connections this instance may hold; every replica of every service shares the server's. */
    databasePoolSize: env.int('TM_DATABASE_POOL_SIZE', {
      default: pool.poolSize ?? DEFAULT_POOL_SIZE,
      min: 1,
      max: 100,
    }),
    /** How long a query waits for a pooled connection (or a new one to open) before it fails. */
    databaseAcquireTimeoutMs: env.durationMs('TM_DATABASE_ACQUIRE_TIMEOUT', {
      default: pool.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
      min: 100,
    }),
  };
}
