// Schema and database names are spliced into SQL (DDL takes no parameters), so only plain
// lower-case identifiers pass; quoting them is then exact and injection is impossible.
import { PersistenceError } from './persistence.exception.js';

const PLAIN_IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!PLAIN_IDENTIFIER.test(schema)) {
    throw new PersistenceError(
      'INVALID_SCHEMA_NAME',
      `schema name ${JSON.stringify(schema)} must match ${PLAIN_IDENTIFIER}`,
    );
  }
  return schema;
}

export function assertDatabaseName(database: string): string {
  if (!PLAIN_IDENTIFIER.test(database)) {
    throw new PersistenceError(
      'INVALID_DATABASE_NAME',
      `database name ${JSON.stringify(database)} must match ${PLAIN_IDENTIFIER}`,
    );
  }
  return database;
}
