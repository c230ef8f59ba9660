export type { SqlMigration } from './sql-migration.js';
export {
  createServiceDataSource,
  DEFAULT_ACQUIRE_TIMEOUT_MS,
  DEFAULT_POOL_SIZE,
  type ServiceDatabaseOptions,
} from './service-data-source.js';
export { revertLastMigration, runMigrations, type MigrationRunOptions } from './migration-runner.js';
export { PostgresProbe, type ProbeResult } from './postgres-probe.js';
export { PersistenceError, type PersistenceErrorCode } from './persistence.exception.js';
export { ensureDatabase } from './ensure-database.js';
export { createTestSchema, type TestSchema } from './test-schema.js';
