// A FIX session's sequence numbers and sent messages in PostgreSQL (jspurefix's IFixSessionStore), so a
// restart resumes the session where it stopped and a ResendRequest is answered with what was sent.
import { FixMsgStoreRecord, type IFixMsgStoreRecord, type IFixSessionStore, type SessionId } from 'jspurefix';
import type pg from 'pg';
import type { PendingSessionWrite, SessionStoreWriter } from './session-store-writer.js';

/**
 * What is written for this peer: nothing until it proves who it is (strangers leave no rows, and cannot
 * move a client's numbers); `ours` only what we sent, after a refused Logon of a known client, so its next
 * Logon sees our numbers continue; `all` once the logon is accepted.
 */
type Admission = 'none' | 'ours' | 'all';

export class PostgresSessionStore implements IFixSessionStore {
  private state: PendingSessionWrite;
  private admission: Admission = 'none';
  /** The peer's next number as last kept: what `ours` writes, whatever the unproven peer claimed. */
  private keptTargetSeq = 1;
  /** A reset (ResetSeqNumFlag on the Logon) came before the logon was accepted: applied on admit(). */
  private resetBeforeAdmit = false;

  constructor(
    readonly sessionId: SessionId,
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly writer: SessionStoreWriter,
  ) {
    this.state = {
      sessionId: sessionId.toString(),
      createdAt: new Date(),
      nextSenderSeq: 1,
      nextTargetSeq: 1,
      messages: [],
    };
  }

  get senderSeqNum(): number {
    return this.state.nextSenderSeq;
  }
  set senderSeqNum(value: number) {
    this.state.nextSenderSeq = value;
  }
  get targetSeqNum(): number {
    return this.state.nextTargetSeq;
  }
  set targetSeqNum(value: number) {
    this.state.nextTargetSeq = value;
  }
  get creationTime(): Date {
    return this.state.createdAt;
  }

  /** The peer logged on: its session's state is kept from now on. */
  async admit(): Promise<void> {
    this.admission = 'all';
    if (this.resetBeforeAdmit) await this.deleteSentMessages();
    await this.save();
  }

  /** A known client's Logon was refused: keep what we sent it (our Logout), not what it claimed. */
  async admitOurs(): Promise<void> {
    // A refused peer's reset is not applied: our kept numbers stay as the client last saw them.
    if (this.resetBeforeAdmit) return;
    this.admission = 'ours';
    await this.save();
  }

  private async deleteSentMessages(): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.schema}.fix_sent_messages WHERE session_id = $1`, [
      this.state.sessionId,
    ]);
  }

  private save(): Promise<void> {
    switch (this.admission) {
      case 'none':
        this.state.messages.length = 0;
        return Promise.resolve();
      case 'ours':
        // The same messages array: the writer empties it as it writes.
        return this.writer.write({ ...this.state, nextTargetSeq: this.keptTargetSeq });
      case 'all':
        return this.writer.write(this.state);
    }
  }

  async initialize(): Promise<void> {
    this.writer.forgive(this.state.sessionId);
    const { rows } = await this.pool.query<{
      next_sender_seq: number;
      next_target_seq: number;
      created_at: Date;
    }>(
      `SELECT next_sender_seq, next_target_seq, created_at FROM ${this.schema}.fix_session_sequences WHERE session_id = $1`,
      [this.state.sessionId],
    );
    const row = rows[0];
    if (row) this.keptTargetSeq = row.next_target_seq;
    if (row)
      this.state = {
        ...this.state,
        nextSenderSeq: row.next_sender_seq,
        nextTargetSeq: row.next_target_seq,
        createdAt: row.created_at,
      };
  }

  put(record: IFixMsgStoreRecord): Promise<void> {
    if (!record.encoded) return Promise.resolve();
    this.state.messages.push({
      seq: record.seqNum,
      msgType: record.msgType,
      sentAt: record.timestamp,
      encoded: record.encoded,
    });
    return this.save();
  }

  async get(seqNum: number): Promise<IFixMsgStoreRecord | null> {
    return (await this.getRange(seqNum, seqNum))[0] ?? null;
  }

  async getRange(fromSeqNum: number, toSeqNum: number): Promise<IFixMsgStoreRecord[]> {
    await this.writer.flush();
    const { rows } = await this.pool.query<{ seq: number; msg_type: string; sent_at: Date; encoded: string }>(
      `SELECT seq, msg_type, sent_at, encoded FROM ${this.schema}.fix_sent_messages
       WHERE session_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
      [this.state.sessionId, fromSeqNum, toSeqNum],
    );
    return rows.map((r) => new FixMsgStoreRecord(r.msg_type, r.sent_at, r.seq, undefined, r.encoded));
  }

  /** Never lowered except by reset(): a retransmission reports its old number as if it were the latest. */
  setSenderSeqNum(value: number): Promise<void> {
    this.state.nextSenderSeq = Math.max(this.state.nextSenderSeq, value);
    return this.save();
  }

  setTargetSeqNum(value: number): Promise<void> {
    this.state.nextTargetSeq = value;
    return this.save();
  }

  async nextSenderSeqNum(): Promise<number> {
    const next = ++this.state.nextSenderSeq;
    await this.save();
    return next;
  }

  async nextTargetSeqNum(): Promise<number> {
    const next = ++this.state.nextTargetSeq;
    await this.save();
    return next;
  }

  /** ResetSeqNumFlag: both sides start again at 1 and the sent messages are forgotten. */
  async reset(): Promise<void> {
    await this.writer.flush();
    this.writer.forgive(this.state.sessionId);
    this.state = { ...this.state, createdAt: new Date(), nextSenderSeq: 1, nextTargetSeq: 1, messages: [] };
    if (this.admission === 'all') await this.deleteSentMessages();
    else this.resetBeforeAdmit = true;
    await this.save();
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  dispose(): Promise<void> {
    return this.writer.flush();
  }
}
