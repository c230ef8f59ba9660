// One FIX client's session on our acceptor (jspurefix AsciiSession): checks the Logon against the
// client's row, rate-limits its application messages, hands them to the desks, and answers a
// ResendRequest from the messages kept in PostgreSQL.
import type { Logger } from '@tm/telemetry';
import {
  AsciiParser,
  AsciiSession,
  DITokens,
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
import type { FailedLogonThrottle } from './failed-logon-throttle.js';
import { MessageRateLimit } from './message-rate-limit.js';
import { PostgresSessionStore } from './postgres-session-store.js';

/** Session-level messages: a ResendRequest covers them with a SequenceReset-GapFill, never resends them. */
const ADMIN_MESSAGES = new Set<string>(['0', '1', '2', '3', '4', '5', 'A']);
/** BusinessRejectReason(380). */
const UNSUPPORTED_MESSAGE_TYPE = 3;
const OTHER = 0;
/** ASCII `|`, jspurefix's log delimiter. */
const PIPE = 0x7c;
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
  readonly logonThrottle: FailedLogonThrottle;
  readonly desks: readonly ApplicationDesk[];
  readonly live: LiveClientSessions;
  readonly logger: Logger;
  /** How often our own TestRequest measures the round trip to the client; 0 turns it off. */
  readonly probeIntervalMs: number;
  onRoundTrip?(senderCompId: string, ms: number): void;
}

/** Our round-trip probes' TestReqID(112) prefix: the client's Heartbeat echoes it with the send time. */
const PROBE_PREFIX = 'rtt-';

/** The logged-on sessions of this instance, so a disabled client is logged out at once. */
export class LiveClientSessions {
  private readonly sessions = new Map<string, ClientSession>();

  add(session: ClientSession): void {
    const previous = this.sessions.get(session.senderCompId);
    if (previous !== undefined && previous !== session) previous.logout('replaced by a newer logon');
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

  /** Ends the session whose kept state PostgreSQL refused: it could not be resumed after a restart. */
  endRefused(storeSessionId: string): void {
    for (const session of this.sessions.values())
      if (session.storeSessionId === storeSessionId) session.logout('session state cannot be kept');
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
  /** Our Logon has gone out: until then a ResendRequest for a gap the Logon showed waits (FIX order). */
  private logonAnswered = false;
  private deferredResend: [number, number] | null = null;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(
    config: IJsFixConfig,
    private readonly deps: ClientSessionDependencies,
    /** The client's network address: what failed Logons are counted by. */
    private readonly peerAddress: string,
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

  /** The id its sequence numbers and sent messages are kept under. */
  get storeSessionId(): string {
    return this.sessionId.toString();
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
    try {
      return await this.checkLogon(view, user, password);
    } catch (error) {
      // PostgreSQL away, say: the client hears that it may retry, not our internals.
      this.refusal = 'logon cannot be checked now, try again later';
      this.deps.logger.error({ err: error }, 'FIX logon check failed');
      return false;
    }
  }

  private async checkLogon(view: MsgView, user: string, password: string): Promise<boolean> {
    if (this.loggedOnClient) {
      // jspurefix takes a Logon that shows a gap as a logon even in an established session.
      this.refusal = 'Logon received in an established session';
      return false;
    }
    const senderCompId = view.getString(MsgTag.SenderCompID) ?? '';
    const waitMs = this.deps.logonThrottle.retryAfterMs(this.peerAddress);
    if (waitMs > 0) {
      this.refusal = `too many failed logons from this address: retry in ${Math.ceil(waitMs / 1_000)} s`;
      this.deps.logger.warn({ senderCompId, address: this.peerAddress }, 'FIX logon refused: throttled');
      return false;
    }
    const client = await this.deps.clients.find(senderCompId);
    const matches = await clientPasswordMatches(password ?? '', client?.passwordHash);
    const store = this.sessionStore instanceof PostgresSessionStore ? this.sessionStore : null;
    const verdict = logonVerdict(client, matches, user, senderCompId, view);
    if (!verdict.accepted) {
      // Only an accepted Logon moves the client's numbers. Our Logout to a known client is kept, so its
      // next Logon sees ours continue; an unknown SenderCompID leaves nothing behind.
      if (client) await store?.admitOurs();
      if (verdict.badCredentials) this.deps.logonThrottle.recordFailure(this.peerAddress);
      this.refusal = verdict.refusal;
      this.deps.logger.warn({ senderCompId, refusal: verdict.refusal }, 'FIX logon refused');
      return false;
    }
    await store?.admit();
    const { heartBtInt } = verdict;
    // The client's interval is the session's: our Logon echoes it and our heartbeats keep to it.
    this.config.description.HeartBtInt = heartBtInt;
    (this.sessionState as { heartBeat: number }).heartBeat = heartBtInt;
    this.loggedOnClient = verdict.client;
    this.rateLimit = new MessageRateLimit(verdict.client.maxMessagesPerSecond);
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

  /**
   * A parser of our own stored text. It needs a buffer of its own in its own DI scope: the parser's state
   * takes the scope's parse buffer, and sharing the live session's would garble the client's messages.
   * jspurefix hands us the text with its log delimiter `|` where SOH goes on the wire; a `|` inside a
   * value makes that message unparsable here, and it is then covered by the GapFill instead.
   */
  private makeStoredMessageParser(): AsciiParser {
    const scope = this.config.sessionContainer.createChildContainer();
    const buffer = new ElasticBuffer(160 * 1024);
    scope.registerInstance(DITokens.ParseBuffer, buffer);
    return new AsciiParser({ ...this.config, delimiter: PIPE, sessionContainer: scope }, null, buffer);
  }

  /** The stored wire text back into the object jspurefix encodes. */
  private inflate(encoded: string | null | undefined): ILooseObject | null {
    if (!encoded) return null;
    let obj: ILooseObject | null = null;
    this.storedMessageParser ??= this.makeStoredMessageParser();
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

  protected override sendResendRequest(lastSeq: number, receivedSeq: number): void {
    if (!this.logonAnswered) {
      this.deferredResend = [lastSeq, receivedSeq];
      return;
    }
    super.sendResendRequest(lastSeq, receivedSeq);
  }

  protected onReady(): void {
    this.logonAnswered = true;
    if (this.deferredResend) super.sendResendRequest(...this.deferredResend);
    this.deferredResend = null;
    if (this.deps.probeIntervalMs > 0) {
      this.probeTimer = setInterval(() => this.probe(), this.deps.probeIntervalMs);
      this.probeTimer.unref();
    }
    this.deps.logger.debug({ session: this.key }, 'FIX session ready');
  }

  private probe(): void {
    this.send(MsgType.TestRequest, { TestReqID: `${PROBE_PREFIX}${performance.now().toFixed(3)}` });
  }

  protected override onSessionMsg(msgType: string, view: MsgView): void {
    if (msgType === MsgType.Heartbeat) {
      const id = view.getString(MsgTag.TestReqID);
      if (id?.startsWith(PROBE_PREFIX)) {
        const sentAt = Number(id.slice(PROBE_PREFIX.length));
        if (Number.isFinite(sentAt)) this.deps.onRoundTrip?.(this.senderCompId, performance.now() - sentAt);
      }
    }
    super.onSessionMsg(msgType, view);
  }

  protected onStopped(error?: Error): void {
    clearInterval(this.probeTimer);
    this.deps.live.remove(this);
    if (this.loggedOnClient) for (const desk of this.deps.desks) desk.closeSession(this.key);
    void this.sessionStore.flush().catch(() => undefined);
    if (error) this.deps.logger.info({ session: this.key, reason: error.message }, 'FIX session ended');
  }

  protected onDecoded(): void {}
  protected onEncoded(): void {}
}

type LogonVerdict =
  | { accepted: true; client: FixClient; heartBtInt: number }
  /** `badCredentials`: counted against the address by the failed-logon throttle. */
  | { accepted: false; refusal: string; badCredentials: boolean };

/** Whether a Logon is accepted: credentials, then the heartbeat interval, then the client's enabled flag. */
function logonVerdict(
  client: FixClient | null,
  passwordMatches: boolean,
  user: string,
  senderCompId: string,
  view: MsgView,
): LogonVerdict {
  if (!client || !passwordMatches || user !== senderCompId)
    return {
      accepted: false,
      refusal: 'unknown client or wrong Username(553)/Password(554)',
      badCredentials: true,
    };
  const heartBtInt = Number(view.getString(MsgTag.HeartBtInt));
  if (!Number.isInteger(heartBtInt) || heartBtInt < HEARTBEAT_RANGE.min || heartBtInt > HEARTBEAT_RANGE.max)
    return {
      accepted: false,
      refusal: `HeartBtInt(108) must be ${HEARTBEAT_RANGE.min}–${HEARTBEAT_RANGE.max} seconds`,
      badCredentials: false,
    };
  if (!client.enabled) return { accepted: false, refusal: 'client disabled', badCredentials: false };
  return { accepted: true, client, heartBtInt };
}
