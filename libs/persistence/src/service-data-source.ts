import { DataSource } from 'typeorm';
import { assertSchemaName } from './sql-identifier.js';
import type { SqlMigration } from './sql-migration.js';

export const MIGRATIONS_TABLE = '_migrations';
const CONNECT_TIMEOUT_MS = 3_000;

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
    poolSize: opts.poolSize ?? 5,
    // Short, so an unreachable server is reported in seconds rather than hanging a boot or a probe.
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    // runMigrations() owns this table; naming it here keeps TypeORM tooling pointed at the same one.
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    migrationsRun: false,
    extra: { options: sessionDefaults.join(' ') },
  });
}
