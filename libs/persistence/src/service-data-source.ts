import { DataSource } from 'typeorm';
import { assertSchemaName } from './sql-identifier.js';
import type { SqlMigration } from './sql-migration.js';

export const MIGRATIONS_TABLE = '_migrations';
/** Connections per data source unless the service asks otherwise (TM_DATABASE_POOL_SIZE). */
export const DEFAULT_POOL_SIZE = 5;
/**
 * How long a query waits for a pooled connection, or for a new one to open (pg-pool has one setting for
 * both). Short, so an unreachable server is reported in seconds rather than hanging a boot or a probe.
 */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 3_000;

export interface ServiceDatabaseOptions {
  url: string;
  /** The service's own schema, e.g. 'aggregator'; must match ^[a-z][a-z0-9_]{0,62}$. */
  schema: string;
  applicationName: string;
  // TypeORM's own type for entity classes.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: Function[];
  /** Not used by the data source itself: pass these same options to runMigrations(). */
  migrations: readonly SqlMigration[];
  poolSize?: number;
  /** See DEFAULT_ACQUIRE_TIMEOUT_MS; a service serving bursts waits longer rather than fail them. */
  acquireTimeoutMs?: number;
  statementTimeoutMs?: number;
}

/** A data source bound to one service schema; not initialised, so the caller decides when to connect. */
export function createServiceDataSource(opts: ServiceDatabaseOptions): DataSource {
  const schema = assertSchemaName(opts.schema);
  // Startup parameters make these session defaults on every pooled connection, so RESET returns to them.
  const sessionDefaults = [`-c search_path=${schema},public`];
  if (opts.statementTimeoutMs !== undefined) {
    sessionDefaults.push(`-c statement_timeout=${Math.trunc(opts.statementTimeoutMs)}`);
  }
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    schema,
    applicationName: opts.applicationName,
    entities: opts.entities ?? [],
    poolSize: opts.poolSize ?? DEFAULT_POOL_SIZE,
    connectTimeoutMS: opts.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
    // runMigrations() owns this table; naming it here keeps TypeORM tooling pointed at the same one.
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    migrationsRun: false,
    extra: { options: sessionDefaults.join(' ') },
  });
}
