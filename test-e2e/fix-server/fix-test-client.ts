// A FIX 4.4 client for tests: jspurefix's own initiator over a real socket (TCP or TLS), keeping every
// message it receives, with its sequence numbers kept across reconnects like a real counterparty's.
import { fixInitiatorConfig, openFixSocket, runFixSession } from '@tm/testing';
import {
  AsciiSession,
  MemorySessionStore,
  SessionId,
  type IJsFixConfig,
  type ILooseObject,
  type MsgView,
} from 'jspurefix';

export interface ReceivedFixMessage {
  msgType: string;
  body: ILooseObject;
}

export interface FixTestClientOptions {
  port: number;
  senderCompId: string;
  password: string;
  targetCompId?: string;
  heartBtInt?: number;
  resetSeqNum?: boolean;
  /** Connect over TLS, trusting this CA (PEM). */
  tlsCa?: string;
}

class RecordingSession extends AsciiSession {
  constructor(
    config: IJsFixConfig,
    private readonly client: FixTestClient,
  ) {
    super(config);
  }
  sendMessage(msgType: string, obj: ILooseObject): void {
    this.send(msgType, obj);
  }
  /** Our next messages skip `count` sequence numbers, as if they had been lost on the way. */
  skipOutgoing(count: number): void {
    // The ascii transmitter numbers what it sends; the abstract type does not declare it.
    const transmitter = this.transport?.transmitter as { msgSeqNum: number } | undefined;
    if (!transmitter) throw new Error('not connected');
    transmitter.msgSeqNum += count;
  }
  /** Forget having received the last `count` messages, so the next one shows a gap on our side. */
  forgetReceived(count: number): void {
    this.sessionState.lastPeerMsgSeqNum -= count;
  }
  protected onApplicationMsg(msgType: string, view: MsgView): void {
    this.client.record(msgType, view);
  }
  protected override onMsg(msgType: string, view: MsgView): void {
    // Session messages too (Logon, Logout, Heartbeat, Reject), so tests can read them.
    if (['A', '5', '0', '3', '4', '2'].includes(msgType)) this.client.record(msgType, view);
    super.onMsg(msgType, view);
  }
  protected onLogon(): boolean {
    return true;
  }
  protected onReady(): void {}
  protected onStopped(): void {
    this.client.stopped = true;
  }
  protected onDecoded(): void {}
  protected onEncoded(): void {}
}

export class FixTestClient {
  readonly received: ReceivedFixMessage[] = [];
  stopped = false;
  private session: RecordingSession | null = null;
  private connections = 0;
  private ended: Promise<unknown> = Promise.resolve();
  /**
   * The counterparty's own sequence numbers per session, kept across connections and across clients
   * of the same CompID, as a real engine keeps them on disk.
   */
  private static readonly stores = new Map<string, MemorySessionStore>();

  constructor(private readonly options: FixTestClientOptions) {}

  record(msgType: string, view: MsgView): void {
    this.received.push({ msgType, body: view.toObject() as ILooseObject });
  }

  of(msgType: string): ILooseObject[] {
    return this.received.filter((m) => m.msgType === msgType).map((m) => m.body);
  }

  /** Opens the socket and sends the Logon; the answer lands in `received`. */
  async connect(overrides: Partial<FixTestClientOptions> = {}): Promise<void> {
    const o = { ...this.options, ...overrides };
    this.stopped = false;
    const config = await fixInitiatorConfig({
      ...o,
      sessionStore: (id) => {
        const key = id.toString();
        let store = FixTestClient.stores.get(key);
        if (!store) FixTestClient.stores.set(key, (store = new MemorySessionStore(id)));
        return store;
      },
    });
    const socket = await openFixSocket(o.port, o.tlsCa);
    const session = new RecordingSession(config, this);
    this.session = session;
    this.connections += 1;
    this.ended = runFixSession(session, config, socket, this.connections);
  }

  /** Before a connect: our next Logon skips `count` numbers, as if messages had been lost before it. */
  skipBeforeLogon(count: number): void {
    const id = new SessionId('FIX.4.4', this.options.senderCompId, this.options.targetCompId ?? 'TM');
    const store = FixTestClient.stores.get(id.toString());
    if (!store) throw new Error('this client has never connected');
    store.senderSeqNum += count;
  }

  send(msgType: string, obj: ILooseObject): void {
    this.connected.sendMessage(msgType, obj);
  }

  skipOutgoing(count: number): void {
    this.connected.skipOutgoing(count);
  }

  forgetReceived(count: number): void {
    this.connected.forgetReceived(count);
  }

  private get connected(): RecordingSession {
    if (!this.session) throw new Error('not connected');
    return this.session;
  }

  /** Logs out and waits for the session to end. */
  async close(): Promise<void> {
    if (this.session && !this.stopped) this.session.done();
    await Promise.race([this.ended, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  }
}
