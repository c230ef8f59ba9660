import type pg from 'pg';
import type { FixClient } from './fix-client.js';

interface FixClientRow {
  sender_comp_id: string;
  password_hash: string;
  enabled: boolean;
  max_messages_per_second: number;
  max_subscriptions: number;
  allowed_accounts: string[];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'sender_comp_id, password_hash, enabled, max_messages_per_second, max_subscriptions, allowed_accounts, created_at, updated_at';

function clientOf(row: FixClientRow): FixClient {
  return {
    senderCompId: row.sender_comp_id,
    passwordHash: row.password_hash,
    enabled: row.enabled,
    maxMessagesPerSecond: row.max_messages_per_second,
    maxSubscriptions: row.max_subscriptions,
    allowedAccounts: row.allowed_accounts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type FixClientChange = Partial<
  Pick<
    FixClient,
    'passwordHash' | 'enabled' | 'maxMessagesPerSecond' | 'maxSubscriptions' | 'allowedAccounts'
  >
>;

/** The fix_clients table: read at every logon, so a change applies to the next logon without a restart. */
export class FixClientRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  async find(senderCompId: string): Promise<FixClient | null> {
    const { rows } = await this.pool.query<FixClientRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.fix_clients WHERE sender_comp_id = $1`,
      [senderCompId],
    );
    return rows[0] ? clientOf(rows[0]) : null;
  }

  async list(): Promise<FixClient[]> {
    const { rows } = await this.pool.query<FixClientRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.fix_clients ORDER BY sender_comp_id`,
    );
    return rows.map(clientOf);
  }

  /** Null when a client with that SenderCompID exists already. */
  async create(client: Omit<FixClient, 'createdAt' | 'updatedAt'>): Promise<FixClient | null> {
    const { rows } = await this.pool.query<FixClientRow>(
      `INSERT INTO ${this.schema}.fix_clients
         (sender_comp_id, password_hash, enabled, max_messages_per_second, max_subscriptions, allowed_accounts)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sender_comp_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        client.senderCompId,
        client.passwordHash,
        client.enabled,
        client.maxMessagesPerSecond,
        client.maxSubscriptions,
        client.allowedAccounts,
      ],
    );
    return rows[0] ? clientOf(rows[0]) : null;
  }

  /** Null when there is no such client. */
  async update(senderCompId: string, change: FixClientChange): Promise<FixClient | null> {
    const { rows } = await this.pool.query<FixClientRow>(
      `UPDATE ${this.schema}.fix_clients SET
         password_hash = coalesce($2, password_hash),
         enabled = coalesce($3, enabled),
         max_messages_per_second = coalesce($4, max_messages_per_second),
         max_subscriptions = coalesce($5, max_subscriptions),
         allowed_accounts = coalesce($6, allowed_accounts),
         updated_at = now()
       WHERE sender_comp_id = $1
       RETURNING ${COLUMNS}`,
      [
        senderCompId,
        change.passwordHash ?? null,
        change.enabled ?? null,
        change.maxMessagesPerSecond ?? null,
        change.maxSubscriptions ?? null,
        change.allowedAccounts ?? null,
      ],
    );
    return rows[0] ? clientOf(rows[0]) : null;
  }
}
