// One FIX client's session on our acceptor (jspurefix AsciiSession): checks the Logon against the
// client's row, rate-limits its application messages, hands them to the desks, and answers a
// ResendRequest from the messages kept in PostgreSQL.
import type { Logger } from '@tm/telemetry';
import {
  AsciiParser,
  AsciiSession,
  ElasticBuffer,
  MsgTag,
  MsgType,
  type IJsFixConfig,
  type ILooseObject,
  type MsgView,
} from 'jspurefix';
import { clientPasswordMatches } from '../clients/client-password.js';
import type { FixClient } from '../clients/fix-client.js';
import type { FixClientRepository } from '../clients/fix-client.repository.js';
import { MessageRateLimit } from './message-rate-limit.js';
import { PostgresSessionStore } from './postgres-session-store.js';

/** Session-level messages: a ResendRequest covers them with a SequenceReset-GapFill, never resends them. */
const ADMIN_MESSAGES = new Set<string>(['0', '1', '2', '3', '4', '5', 'A']);
/** BusinessRejectReason(380). */
const UNSUPPORTED_MESSAGE_TYPE = 3;
const OTHER = 0;
/** The heartbeat intervals (seconds) a client may ask for in HeartBtInt(108). */
const HEARTBEAT_RANGE = { min: 1, max: 300 };

/** What a logged-on session offers the desks that serve it. */
export interface ClientSessionHandle {
  /** `SENDER->TARGET` as the client sees it: the requester id of its flows. */
  readonly key: string;
  readonly client: FixClient;
  send(msgType: string, obj: ILooseObject): void;
}

/** Where a session's application messages go (market data, orders); keyed by MsgType. */
export interface ApplicationDesk {
  readonly msgTypes: readonly string[];
  handle(session: ClientSessionHandle, msgType: string, obj: ILooseObject): Promise<void>;
  closeSession(key: string): void;
}

export interface ClientSessionDependencies {
  readonly clients: FixClientRepository;
  readonly desks: readonly ApplicationDesk[];
  readonly live: LiveClientSessions;
  readonly logger: Logger;
}

/** The logged-on sessions of this instance, so a disabled client is logged out at once. */
export class LiveClientSessions {
  private readonly sessions = new Map<string, ClientSession>();

  add(session: ClientSession): void {
    this.sessions.get(session.senderCompId)?.logout('replaced by a newer logon');
    this.sessions.set(session.senderCompId, session);
  }

  remove(session: ClientSession): void {
    if (this.sessions.get(session.senderCompId) === session) this.sessions.delete(session.senderCompId);
  }

  get(senderCompId: string): ClientSession | undefined {
    return this.sessions.get(senderCompId);
  }

  get size(): number {
    return this.sessions.size;
  }

  logoutAll(reason: string): void {
    for (const session of this.sessions.values()) session.logout(reason);
  }
}

export class ClientSession extends AsciiSession implements ClientSessionHandle {
  private loggedOnClient: FixClient | null = null;
  private rateLimit: MessageRateLimit | null = null;
  /** Why the Logon was refused: the Text(58) of our Logout. */
  private refusal: string | null = null;
  private readonly desksByType = new Map<string, ApplicationDesk>();
  private storedMessageParser: AsciiParser | null = null;

  constructor(
    config: IJsFixConfig,
    private readonly deps: ClientSessionDependencies,
  ) {
    super(config);
    for (const desk of deps.desks) for (const type of desk.msgTypes) this.desksByType.set(type, desk);
    // jspurefix refuses a Logon with a fixed text; ours says why (wrong credentials, disabled client).
    const self = this as unknown as { rejectLogon(reason: string): void };
    const rejectLogon = self.rejectLogon.bind(this);
    self.rejectLogon = (reason: string) => rejectLogon(this.refusal ?? reason);
  }

  get senderCompId(): string {
    return this.config.description.TargetCompID;
  }

  get key(): string {
    return `${this.senderCompId}->${this.config.description.SenderCompId}`;
  }

  get client(): FixClient {
    if (!this.loggedOnClient) throw new Error('the session has no logged-on client');
    return this.loggedOnClient;
  }

  override send(msgType: string, obj: ILooseObject): void {
    super.send(msgType, obj);
  }

  logout(reason: string): void {
    this.sendLogout(reason);
  }

  protected async onLogon(view: MsgView, user: string, password: string): Promise<boolean> {
    const senderCompId = view.getString(MsgTag.SenderCompID) ?? '';
    const client = await this.deps.clients.find(senderCompId);
    const matches = await clientPasswordMatches(password ?? '', client?.passwordHash);
    if (!client || !matches || user !== senderCompId) {
      this.refusal = 'unknown client or wrong Username(553)/Password(554)';
      this.deps.logger.warn({ senderCompId }, 'FIX logon refused: bad credentials');
      return false;
    }
    const heartBtInt = Number(view.getString(MsgTag.HeartBtInt));
    if (
      !Number.isInteger(heartBtInt) ||
      heartBtInt < HEARTBEAT_RANGE.min ||
      heartBtInt > HEARTBEAT_RANGE.max
    ) {
      this.refusal = `HeartBtInt(108) must be ${HEARTBEAT_RANGE.min}–${HEARTBEAT_RANGE.max} seconds`;
      return false;
    }
    if (!client.enabled) {
      this.refusal = 'client disabled';
      this.deps.logger.warn({ senderCompId }, 'FIX logon refused: client disabled');
      return false;
    }
    // The client's interval is the session's: our Logon echoes it and our heartbeats keep to it.
    this.config.description.HeartBtInt = heartBtInt;
    (this.sessionState as { heartBeat: number }).heartBeat = heartBtInt;
    this.loggedOnClient = client;
    this.rateLimit = new MessageRateLimit(client.maxMessagesPerSecond);
    if (this.sessionStore instanceof PostgresSessionStore) await this.sessionStore.admit();
    this.deps.live.add(this);
    this.deps.logger.info({ senderCompId }, 'FIX client logged on');
    return true;
  }

  protected onApplicationMsg(msgType: string, view: MsgView): void {
    const seqNum = Number(view.getString(MsgTag.MsgSeqNum));
    if (this.rateLimit && !this.rateLimit.admit()) {
      this.businessReject(
        msgType,
        seqNum,
        OTHER,
        `rate limit of ${this.rateLimit.perSecond} messages/s exceeded`,
      );
      return;
    }
    const desk = this.desksByType.get(msgType);
    if (!desk) {
      this.businessReject(msgType, seqNum, UNSUPPORTED_MESSAGE_TYPE, `MsgType ${msgType} is not supported`);
      return;
    }
    const obj = view.toObject() as ILooseObject;
    desk.handle(this, msgType, obj).catch((error: Error) => {
      this.deps.logger.error({ err: error, msgType, session: this.key }, 'FIX desk failed on a message');
      this.businessReject(msgType, seqNum, OTHER, 'internal error: the message was not processed');
    });
  }

  private businessReject(refMsgType: string, refSeqNum: number, reason: number, text: string): void {
    this.send(MsgType.BusinessMessageReject, {
      RefSeqNum: refSeqNum,
      RefMsgType: refMsgType,
      BusinessRejectReason: reason,
      Text: text,
    });
  }

  /** Application messages again with PossDupFlag=Y; admin ones and unknown numbers as one GapFill per run. */
  protected override onResendRequest(view: MsgView): void {
    const [begin, requestedEnd] = view.getTypedTags([MsgTag.BeginSeqNo, MsgTag.EndSeqNo]) as number[];
    const end =
      requestedEnd === 0 ? this.lastSentSeqNum() : Math.min(requestedEnd ?? 0, this.lastSentSeqNum());
    this.resend(begin ?? 1, end).catch((error: Error) =>
      this.deps.logger.error({ err: error, session: this.key }, 'FIX resend failed'),
    );
  }

  private async resend(begin: number, end: number): Promise<void> {
    const records = new Map((await this.sessionStore.getRange(begin, end)).map((r) => [r.seqNum, r]));
    let gapFrom: number | null = null;
    for (let seq = begin; seq <= end; seq++) {
      const record = records.get(seq);
      const obj = record && !ADMIN_MESSAGES.has(record.msgType) ? this.inflate(record.encoded) : null;
      if (!record || !obj) {
        gapFrom ??= seq;
        continue;
      }
      if (gapFrom !== null) this.gapFill(gapFrom, seq);
      gapFrom = null;
      this.send(record.msgType, {
        ...obj,
        StandardHeader: { MsgSeqNum: seq, PossDupFlag: true, SendingTime: record.timestamp },
      });
    }
    if (gapFrom !== null) this.gapFill(gapFrom, end + 1);
  }

  private gapFill(from: number, newSeqNo: number): void {
    this.send(MsgType.SequenceReset, {
      GapFillFlag: true,
      NewSeqNo: newSeqNo,
      StandardHeader: { MsgSeqNum: from, PossDupFlag: true, SendingTime: new Date() },
    });
  }

  /** The stored wire text back into the object jspurefix encodes. */
  private inflate(encoded: string | null | undefined): ILooseObject | null {
    if (!encoded) return null;
    let obj: ILooseObject | null = null;
    this.storedMessageParser ??= new AsciiParser(this.config, null, new ElasticBuffer(160 * 1024));
    const parser = this.storedMessageParser;
    parser.removeAllListeners();
    parser.on('msg', (_type: string, v: MsgView) => {
      obj = v.toObject() as ILooseObject;
    });
    parser.parseText(encoded);
    if (!obj) return null;
    const { StandardHeader: _header, StandardTrailer: _trailer, ...body } = obj as ILooseObject;
    return body;
  }

  protected onReady(): void {
    this.deps.logger.debug({ session: this.key }, 'FIX session ready');
  }

  protected onStopped(error?: Error): void {
    this.deps.live.remove(this);
    if (this.loggedOnClient) for (const desk of this.deps.desks) desk.closeSession(this.key);
    void this.sessionStore.flush().catch(() => undefined);
    if (error) this.deps.logger.info({ session: this.key, reason: error.message }, 'FIX session ended');
  }

  protected onDecoded(): void {}
  protected onEncoded(): void {}
}
