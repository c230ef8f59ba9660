// A FIX 4.4 client for tests: jspurefix's own initiator over a real socket (TCP or TLS), keeping every
// message it receives, with its sequence numbers kept across reconnects like a real counterparty's.
import {
  AsciiSession,
  DITokens,
  EmptyLogFactory,
  MemorySessionStore,
  SessionContainer,
  SessionId,
  type IJsFixConfig,
  type ILooseObject,
  type ISessionDescription,
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
    const description = {
      application: {
        name: `test-${o.senderCompId}`,
        type: 'initiator',
        protocol: 'ascii',
        dictionary: 'repo44',
        resilient: false,
        reconnectSeconds: 0,
        tcp: {
          host: '127.0.0.1',
          port: o.port,
          ...(o.tlsCa && { tls: { nodeTlsConnectionOptions: { ca: [o.tlsCa], servername: 'localhost' } } }),
        },
      },
      Name: o.senderCompId,
      SenderCompId: o.senderCompId,
      TargetCompID: o.targetCompId ?? 'TM',
      BeginString: 'FIX.4.4',
      HeartBtInt: o.heartBtInt ?? 30,
      ResetSeqNumFlag: o.resetSeqNum ?? false,
      SenderSubID: '',
      TargetSubID: '',
      Username: o.senderCompId,
      Password: o.password,
    } satisfies ISessionDescription;
    const container = new SessionContainer();
    container.registerGlobal(new EmptyLogFactory());
    const scope = await container.makeSystem(description);
    const config = scope.resolve<IJsFixConfig>(DITokens.IJsFixConfig);
    config.sessionStoreFactory = {
      create: (id: SessionId) => {
        const key = id.toString();
        let store = FixTestClient.stores.get(key);
        if (!store) FixTestClient.stores.set(key, (store = new MemorySessionStore(id)));
        return store;
      },
    };
    scope.register(DITokens.FixSession, {
      useFactory: (c) => {
        this.session = new RecordingSession(c.resolve<IJsFixConfig>(DITokens.IJsFixConfig), this);
        return this.session;
      },
    });
    const entity = scope.resolve<{ start(): Promise<unknown> }>(DITokens.FixEntity);
    this.ended = entity.start().catch(() => undefined);
  }

  send(msgType: string, obj: ILooseObject): void {
    if (!this.session) throw new Error('not connected');
    this.session.sendMessage(msgType, obj);
  }

  /** Logs out and waits for the session to end. */
  async close(): Promise<void> {
    if (this.session && !this.stopped) this.session.done();
    await Promise.race([this.ended, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  }
}
