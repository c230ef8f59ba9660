import type { DataSource } from 'typeorm';

/** The auth tables, qualified with the data source's own schema rather than trusting search_path. */
export function authTables(dataSource: DataSource): { users: string; refreshTokens: string } {
  const schema = 'schema' in dataSource.options ? dataSource.options.schema : undefined;
  if (!schema) throw new Error('the auth tables need a data source bound to a schema');
  return { users: `"${schema}".users`, refreshTokens: `"${schema}".refresh_tokens` };
}
