/** A plain SQL migration; libs such as @tm/sharding export these without importing TypeORM. */
export interface SqlMigration {
  /** Sortable and never changed once landed, e.g. '0001_tm_slot'. */
  readonly id: string;
  /** SQL run in one transaction; `schema` is the service's schema, already validated. */
  up(schema: string): string;
  down(schema: string): string;
}
