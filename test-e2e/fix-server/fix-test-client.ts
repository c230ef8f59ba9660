// A FIX 4.4 client for tests: jspurefix's own initiator over a real socket (TCP or TLS), keeping every
// message it receives, with its sequence numbers kept across reconnects like a real counterparty's.
import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  AsciiSession,
  MsgTransport,
  TcpDuplex,
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
    const description = {
      application: {
        name: `test-${o.senderCompId}`,
        type: 'initiator',
        protocol: 'ascii',
        dictionary: 'repo44',
        resilient: false,
        reconnectSeconds: 0,
        tcp: { host: '127.0.0.1', port: o.port },
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
    const socket = await openSocket(o.port, o.tlsCa);
    const session = new RecordingSession(config, this);
    session.on('error', () => undefined);
    this.session = session;
    this.connections += 1;
    const transport = new MsgTransport(this.connections, config, new TcpDuplex(socket));
    // jspurefix drops its parser listeners when a session ends; a socket error after that would be unheard.
    transport.receiver.on('error', () => socket.destroy());
    this.ended = session
      .run(transport)
      .catch(() => undefined)
      .finally(() => socket.destroy());
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

/** A socket of our own, so a reset from the server is an ended session here, never an uncaught error. */
function openSocket(port: number, tlsCa: string | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tlsCa
      ? tlsConnect({ host: '127.0.0.1', port, ca: [tlsCa], servername: 'localhost' })
      : createConnection({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.once('error', reject);
    socket.once(tlsCa ? 'secureConnect' : 'connect', () => {
      socket.off('error', reject);
      // As jspurefix's own TLS initiator does: its parser takes text chunks from a TLS socket.
      if (tlsCa) socket.setEncoding('utf8');
      resolve(socket);
    });
  });
}
