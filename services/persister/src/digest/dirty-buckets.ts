// Claims what the digest has still to roll up: the claim is a DELETE in the caller's transaction, so the
// rows come back if the digest fails before it commits, and SKIP LOCKED keeps two instances whose slots
// briefly overlap (ownership moving) from waiting on, or digesting, the same rows.
import type pg from 'pg';

export type DigestKind = 'candle_hour' | 'account_day';

/** Slots first..last, both included (a SlotRange fits). */
export interface SlotSpan {
  readonly first: number;
  readonly last: number;
}

export interface DirtyBucket {
  slot: number;
  /** The instrument of a candle hour, the account of an account day. */
  key: string;
  /** Start of the hour or the UTC day. */
  bucket: Date;
}

const UNIT: Record<DigestKind, 'hour' | 'day'> = { candle_hour: 'hour', account_day: 'day' };

/** Deletes and returns up to `limit` of the `kind` rows of the slots in `spans`, oldest bucket first. */
export async function claimDirtyBuckets(
  client: pg.ClientBase,
  schema: string,
  kind: DigestKind,
  spans: readonly SlotSpan[],
  limit: number,
): Promise<DirtyBucket[]> {
  if (spans.length === 0) return [];
  const params: unknown[] = [kind, limit, UNIT[kind]];
  const owned = spans
    .map(({ first, last }) => {
      params.push(first, last);
      return `slot BETWEEN $${params.length - 1} AND $${params.length}`;
    })
    .join(' OR ');
  // Truncated again in UTC so a bucket written in another session time zone still names its hour or day.
  const { rows } = await client.query<DirtyBucket>(
    `DELETE FROM "${schema}".digest_dirty d
      USING (SELECT kind, key, bucket FROM "${schema}".digest_dirty
              WHERE kind = $1 AND (${owned})
              ORDER BY bucket LIMIT $2 FOR UPDATE SKIP LOCKED) c
      WHERE d.kind = c.kind AND d.key = c.key AND d.bucket = c.bucket
      RETURNING d.slot, d.key, date_trunc($3, d.bucket, 'UTC') AS bucket`,
    params,
  );
  return rows;
}
