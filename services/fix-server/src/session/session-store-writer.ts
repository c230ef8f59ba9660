// Group commit of every session's sequence numbers and sent messages: a session's writes are held in
// memory and written with every other session's in one transaction each `flushMs`, so a session does
// not pay a PostgreSQL commit per message. A crash loses at most the last interval (ADR 0009).
import type { Logger } from '@tm/telemetry';
import type pg from 'pg';

export interface SentMessageRow {
  seq: number;
  msgType: string;
  sentAt: Date;
  encoded: string;
}

/** What one session has not written yet. */
export interface PendingSessionWrite {
  readonly sessionId: string;
  readonly createdAt: Date;
  nextSenderSeq: number;
  nextTargetSeq: number;
  messages: SentMessageRow[];
}

export class SessionStoreWriter {
  private readonly dirty = new Map<string, PendingSessionWrite>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly flushMs: number,
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {}

  /** Marks a session's state to be written; resolves once it is committed. */
  write(pending: PendingSessionWrite): Promise<void> {
    this.dirty.set(pending.sessionId, pending);
    this.timer ??= setTimeout(() => void this.flushNow(), this.flushMs);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Writes everything held now and waits for it. */
  async flush(): Promise<void> {
    if (this.dirty.size > 0) await this.flushNow();
    else await this.writing;
  }

  private flushNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.dirty.values()].map((p) => ({ ...p, messages: p.messages.splice(0) }));
    this.dirty.clear();
    const waiters = this.waiters.splice(0);
    // Batches are written one after the other, so a later state never loses to an earlier one.
    this.writing = this.writing.then(async () => {
      try {
        await this.commit(batch);
        for (const w of waiters) w.resolve();
      } catch (error) {
        // Put the state back: the next flush retries it (newer values win over the failed ones).
        for (const p of batch) {
          const current = this.dirty.get(p.sessionId);
          if (current) current.messages.unshift(...p.messages);
          else this.dirty.set(p.sessionId, p);
        }
        this.logger?.warn({ err: error, sessions: batch.length }, 'FIX session store write failed, retrying');
        this.timer ??= setTimeout(() => void this.flushNow(), Math.max(this.flushMs, 1_000));
        for (const w of waiters) w.reject(error as Error);
      }
    });
    return this.writing;
  }

  private async commit(batch: PendingSessionWrite[]): Promise<void> {
    if (batch.length === 0) return;
    const s = this.schema;
    const messages = batch.flatMap((p) => p.messages.map((m) => ({ sessionId: p.sessionId, ...m })));
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${s}.fix_session_sequences (session_id, next_sender_seq, next_target_seq, created_at, updated_at)
         SELECT * , now() FROM unnest($1::text[], $2::int[], $3::int[], $4::timestamptz[])
         ON CONFLICT (session_id) DO UPDATE
           SET next_sender_seq = excluded.next_sender_seq, next_target_seq = excluded.next_target_seq,
               created_at = excluded.created_at, updated_at = now()`,
        [
          batch.map((p) => p.sessionId),
          batch.map((p) => p.nextSenderSeq),
          batch.map((p) => p.nextTargetSeq),
          batch.map((p) => p.createdAt),
        ],
      );
      if (messages.length > 0)
        // A retransmission (PossDupFlag) never replaces what was first sent under that number.
        await client.query(
          `INSERT INTO ${s}.fix_sent_messages (session_id, seq, msg_type, sent_at, encoded)
           SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::text[])
           ON CONFLICT (session_id, seq) DO NOTHING`,
          [
            messages.map((m) => m.sessionId),
            messages.map((m) => m.seq),
            messages.map((m) => m.msgType),
            messages.map((m) => m.sentAt),
            messages.map((m) => m.encoded),
          ],
        );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
