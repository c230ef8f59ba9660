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

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

export class SessionStoreWriter {
  private readonly dirty = new Map<string, PendingSessionWrite>();
  /** Sessions whose state PostgreSQL refused: not written again until their store starts over. */
  private readonly refused = new Set<string>();
  private waiters = new Map<string, Waiter[]>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly flushMs: number,
    private readonly logger?: Pick<Logger, 'warn' | 'error'>,
    /** A session whose state PostgreSQL refuses on its own (a number out of range): dropped, not retried. */
    private readonly onRefused?: (sessionId: string, error: Error) => void,
  ) {}

  /** Marks a session's state to be written; resolves once it is committed. */
  write(pending: PendingSessionWrite): Promise<void> {
    if (this.refused.has(pending.sessionId)) {
      pending.messages.length = 0;
      return Promise.resolve();
    }
    this.dirty.set(pending.sessionId, pending);
    this.timer ??= setTimeout(() => void this.flushNow(), this.flushMs);
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(pending.sessionId);
      if (list) list.push({ resolve, reject });
      else this.waiters.set(pending.sessionId, [{ resolve, reject }]);
    });
  }

  /** The session's store starts over (a new connection, a reset): its writes are taken again. */
  forgive(sessionId: string): void {
    this.refused.delete(sessionId);
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
    const waiters = this.waiters;
    this.waiters = new Map();
    // Batches are written one after the other, so a later state never loses to an earlier one.
    this.writing = this.writing.then(() => this.commitBatch(batch, waiters));
    return this.writing;
  }

  private async commitBatch(batch: PendingSessionWrite[], waiters: Map<string, Waiter[]>): Promise<void> {
    try {
      await this.commit(batch);
      for (const list of waiters.values()) for (const w of list) w.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) return this.settleAlone(batch[0]!, waiters, error as Error);
    }
    // One session's state can fail the whole batch: each is tried alone, so the others are not held back.
    for (const pending of batch) {
      try {
        await this.commit([pending]);
        for (const w of waiters.get(pending.sessionId) ?? []) w.resolve();
      } catch (error) {
        this.settleAlone(pending, waiters, error as Error);
      }
    }
  }

  /** A state that failed alone: refused for good when PostgreSQL rejects the data, else put back and retried. */
  private settleAlone(pending: PendingSessionWrite, waiters: Map<string, Waiter[]>, error: Error): void {
    const list = waiters.get(pending.sessionId) ?? [];
    if (isDataError(error)) {
      this.logger?.error(
        { err: error, session: pending.sessionId },
        'FIX session state refused by PostgreSQL',
      );
      this.onRefused?.(pending.sessionId, error);
      for (const w of list) w.reject(error);
      return;
    }
    const current = this.dirty.get(pending.sessionId);
    if (current) current.messages.unshift(...pending.messages);
    else this.dirty.set(pending.sessionId, pending);
    this.logger?.warn({ err: error, session: pending.sessionId }, 'FIX session store write failed, retrying');
    this.timer ??= setTimeout(() => void this.flushNow(), Math.max(this.flushMs, 1_000));
    for (const w of list) w.reject(error);
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

/** PostgreSQL's class 22 (data exception: a value out of range, say): retrying the same data cannot help. */
function isDataError(error: Error): boolean {
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22');
}
