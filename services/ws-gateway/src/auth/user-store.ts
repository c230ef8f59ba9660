import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '@tm/service-host';
import type { DataSource } from 'typeorm';
import { authTables } from './auth-tables.js';
import { isRole, type Role } from './roles.js';

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly createdAt: Date;
}

export interface NewUser {
  readonly username: string;
  readonly passwordHash: string;
  readonly role: Role;
}

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  created_at: Date;
}

/** The users who may sign in; usernames are unique regardless of case. */
@Injectable()
export class UserStore {
  private readonly table: string;

  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {
    this.table = authTables(dataSource).users;
  }

  async findByUsername(username: string): Promise<UserRecord | undefined> {
    const rows: UserRow[] = await this.dataSource.query(
      `SELECT id, username, password_hash, role, created_at FROM ${this.table} WHERE lower(username) = lower($1)`,
      [username],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const rows: UserRow[] = await this.dataSource.query(
      `SELECT id, username, password_hash, role, created_at FROM ${this.table} WHERE id = $1`,
      [id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async isEmpty(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM ${this.table} LIMIT 1`);
    return rows.length === 0;
  }

  /** Throws on a taken username (unique violation). */
  async create(user: NewUser): Promise<UserRecord> {
    const rows: UserRow[] = await this.dataSource.query(
      `INSERT INTO ${this.table} (username, password_hash, role) VALUES ($1, $2, $3)
       RETURNING id, username, password_hash, role, created_at`,
      [user.username, user.passwordHash, user.role],
    );
    return toRecord(rows[0]);
  }

  /**
   * Creates the user only while the table is empty; undefined when a user already exists. Replicas
   * starting together race on the same configured name, and the unique index lets exactly one win.
   */
  async createFirst(user: NewUser): Promise<UserRecord | undefined> {
    const rows: UserRow[] = await this.dataSource.query(
      `INSERT INTO ${this.table} (username, password_hash, role)
       SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM ${this.table})
       ON CONFLICT DO NOTHING
       RETURNING id, username, password_hash, role, created_at`,
      [user.username, user.passwordHash, user.role],
    );
    return rows[0] && toRecord(rows[0]);
  }
}

function toRecord(row: UserRow): UserRecord {
  // The CHECK constraint keeps other values out; this keeps the type honest if it is ever dropped.
  if (!isRole(row.role)) throw new Error(`user ${row.id} has an unknown role "${row.role}"`);
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    role: row.role,
    createdAt: row.created_at,
  };
}
