export type PersistenceErrorCode =
  | 'INVALID_SCHEMA_NAME'
  | 'INVALID_DATABASE_NAME'
  | 'DUPLICATE_MIGRATION_ID'
  | 'UNKNOWN_MIGRATION'
  | 'MIGRATION_FAILED'
  | 'LOCK_TIMEOUT';

/** Every failure of this lib; `migrationId` names the migration when one is to blame. */
export class PersistenceError extends Error {
  readonly code: PersistenceErrorCode;
  readonly migrationId: string | undefined;

  constructor(
    code: PersistenceErrorCode,
    message: string,
    details: { migrationId?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PersistenceError';
    this.code = code;
    this.migrationId = details.migrationId;
  }
}
