import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '@tm/service-host';
import type { DataSource } from 'typeorm';
import { authTables } from './auth-tables.js';

export interface RefreshTokenEntry {
  readonly jti: string;
  /** Every token rotated from one login shares the family of the first. */
  readonly familyId: string;
  readonly userId: string;
  readonly expiresAt: Date;
}

/** What presenting a refresh token did: spent it for the next, caught a replay, or found nothing usable. */
export type RotationOutcome =
  | { readonly kind: 'rotated'; readonly familyId: string }
  | { readonly kind: 'replayed'; readonly familyId: string }
  | { readonly kind: 'unknown' };

/** Refresh-token bookkeeping: each token is spent once; a spent one presented again revokes its family. */
@Injectable()
export class RefreshTokenStore {
  private readonly table: string;

  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {
    this.table = authTables(dataSource).refreshTokens;
  }

  /** Records the first token of a login; the user's expired tokens go at the same time, so rows stay few. */
  async record(entry: RefreshTokenEntry): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${this.table} WHERE user_id = $1 AND expires_at < now()`, [
      entry.userId,
    ]);
    await this.dataSource.query(
      `INSERT INTO ${this.table} (jti, family_id, user_id, expires_at) VALUES ($1, $2, $3, $4)`,
      [entry.jti, entry.familyId, entry.userId, entry.expiresAt],
    );
  }

  /**
   * Spends `usedJti` and records its successor in one statement, so two refreshes racing with one token
   * cannot both win. A token already spent or revoked is a replay: its family is revoked.
   */
  async rotate(
    usedJti: string,
    userId: string,
    next: { jti: string; expiresAt: Date },
  ): Promise<RotationOutcome> {
    // One statement with CTEs: TypeORM answers a bare UPDATE … RETURNING as [rows, count], a SELECT as rows.
    const spent: { family_id: string }[] = await this.dataSource.query(
      `WITH spent AS (
         UPDATE ${this.table} SET revoked_at = now()
         WHERE jti = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > now()
         RETURNING family_id, user_id
       ), successor AS (
         INSERT INTO ${this.table} (jti, family_id, user_id, expires_at)
         SELECT $3, family_id, user_id, $4 FROM spent
       )
       SELECT family_id FROM spent`,
      [usedJti, userId, next.jti, next.expiresAt],
    );
    if (spent[0]) return { kind: 'rotated', familyId: spent[0].family_id };
    const known: { family_id: string; revoked: boolean }[] = await this.dataSource.query(
      `SELECT family_id, revoked_at IS NOT NULL AS revoked FROM ${this.table} WHERE jti = $1 AND user_id = $2`,
      [usedJti, userId],
    );
    if (!known[0]?.revoked) return { kind: 'unknown' };
    await this.revokeFamily(known[0].family_id);
    return { kind: 'replayed', familyId: known[0].family_id };
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.table} SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId],
    );
  }
}
