// A FIX 4.4 liquidity provider for tests: an acceptor (jspurefix, over our own TCP or TLS server) that
// answers a MarketDataRequest with a W per symbol it quotes and then sends the X updates a test pushes;
// close() drops every connection, as an LP restart does. jspurefix is loaded on listen(), so tests that
// never start an LP never load it.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { IJsFixConfig, ILooseObject, ISessionDescription, MsgView } from 'jspurefix';
import { runFixSession } from './fix-initiator.js';

export type QuoteLevel = [price: number, size: number];

export interface QuotedBook {
  bids: QuoteLevel[];
  asks: QuoteLevel[];
}

export interface FixLiquidityProviderOptions {
  /** The LP's CompID (default LP1). */
  compId?: string;
  /** PEM certificate and key: the LP speaks TLS. */
  tls?: { cert: string; key: string };
}

interface QuotingSession {
  push(msgType: string, obj: ILooseObject): void;
}

export class FixLiquidityProvider {
  readonly requests: ILooseObject[] = [];
  /** The MDReqID of the last subscription. */
  mdReqId = '';
  /** Answer the next MarketDataRequest with a MarketDataRequestReject instead of quotes. */
  rejectRequests = false;
  private session: QuotingSession | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    readonly books: Map<string, QuotedBook>,
    private readonly options: FixLiquidityProviderOptions = {},
  ) {}

  async listen(): Promise<void> {
    await import('reflect-metadata');
    const fix = await import('jspurefix');
    const { makeSessionScope } = await import('jspurefix/dist/runtime/session-scope.js');
    const description = {
      application: {
        name: 'test-lp',
        type: 'acceptor',
        protocol: 'ascii',
        dictionary: 'repo44',
        resilient: false,
        reconnectSeconds: 0,
        tcp: { host: '127.0.0.1', port: this.port },
      },
      Name: 'test-lp',
      SenderCompId: this.options.compId ?? 'LP1',
      TargetCompID: '*',
      BeginString: 'FIX.4.4',
      HeartBtInt: 30,
      ResetSeqNumFlag: true,
      SenderSubID: '',
      TargetSubID: '',
      Username: '',
      Password: '',
    } satisfies ISessionDescription;
    const container = new fix.SessionContainer();
    container.registerGlobal(new fix.EmptyLogFactory());
    const config = (await container.makeSystem(description)).resolve<IJsFixConfig>(fix.DITokens.IJsFixConfig);
    const onRequest = (session: QuotingSession, request: ILooseObject) => this.onRequest(session, request);

    class LpSession extends fix.AsciiSession implements QuotingSession {
      constructor(scoped: IJsFixConfig) {
        super(scoped);
      }
      push(msgType: string, obj: ILooseObject): void {
        this.send(msgType, obj);
      }
      protected onApplicationMsg(msgType: string, view: MsgView): void {
        if (msgType === 'V') onRequest(this, view.toObject() as ILooseObject);
      }
      protected onLogon(): boolean {
        return true;
      }
      protected onReady(): void {}
      protected onStopped(): void {}
      protected onDecoded(): void {}
      protected onEncoded(): void {}
    }

    let connections = 0;
    const accept = (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => this.sockets.delete(socket));
      const scoped = makeSessionScope(config);
      void runFixSession(new LpSession(scoped), scoped, socket, ++connections);
    };
    const server = this.options.tls
      ? createTlsServer(this.options.tls, (socket) => {
          // As jspurefix's own TLS acceptor does: its parser takes text chunks from a TLS socket.
          socket.setEncoding('utf8');
          accept(socket);
        })
      : createServer(accept);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** An X on the live subscription. */
  update(entries: ILooseObject[]): void {
    if (!this.session) throw new Error('no subscriber');
    this.session.push('X', { MDReqID: this.mdReqId, MDIncGrp: entries });
  }

  /** Stops listening and drops every connection, as an LP restart does. */
  close(): void {
    this.server?.close();
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.session = null;
  }

  private onRequest(session: QuotingSession, request: ILooseObject): void {
    this.session = session;
    this.requests.push(request);
    this.mdReqId = String(request['MDReqID']);
    if (this.rejectRequests) {
      session.push('Y', { MDReqID: this.mdReqId, MDReqRejReason: '0', Text: 'unknown symbol' });
      return;
    }
    const symbols = (request['InstrmtMDReqGrp'] as { Instrument: { Symbol: string } }[]).map(
      (group) => group.Instrument.Symbol,
    );
    for (const symbol of symbols) {
      const book = this.books.get(symbol);
      if (!book) continue;
      session.push('W', {
        MDReqID: this.mdReqId,
        Instrument: { Symbol: symbol },
        MDFullGrp: [
          ...book.bids.map(([px, size]) => ({ MDEntryType: '0', MDEntryPx: px, MDEntrySize: size })),
          ...book.asks.map(([px, size]) => ({ MDEntryType: '1', MDEntryPx: px, MDEntrySize: size })),
        ],
      });
    }
  }
}
