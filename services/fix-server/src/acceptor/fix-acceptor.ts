// One FIX 4.4 listening port (plain TCP or TLS) for every client. Our own server rather than jspurefix's
// acceptor, so every byte passes the frame guard first and no socket error goes unheard; each connection
// runs a jspurefix session with TargetCompID `*`, which takes its identity from the client's Logon.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '@tm/telemetry';
import {
  DITokens,
  MsgTransport,
  SessionContainer,
  type FixDuplex,
  type IJsFixConfig,
  type ISessionDescription,
  type SessionId,
} from 'jspurefix';
// Not exported at the package root: gives each connection its own DI scope, buffers and description.
import { makeSessionScope } from 'jspurefix/dist/runtime/session-scope.js';
import { PinoFixLogFactory } from '../jspurefix/pino-fix-log-factory.js';
import { ClientSession, type ClientSessionDependencies } from '../session/client-session.js';
import type { PostgresSessionStore } from '../session/postgres-session-store.js';
import { CoalescingSocketWriter } from './coalescing-socket-writer.js';
import { FixFrameGuard, type GarbledReason } from './fix-frame-guard.js';

/** jspurefix's own parse buffer size: nothing longer is a message we take. */
const MAX_MESSAGE_BYTES = 160 * 1024;

export interface FixListenerOptions {
  readonly name: string;
  readonly compId: string;
  readonly host: string;
  readonly port: number;
  /** PEM certificate and key: the port speaks TLS. */
  readonly tls?: { cert: string; key: string };
  readonly sessionStore: (id: SessionId) => PostgresSessionStore;
  readonly session: ClientSessionDependencies;
  readonly logger: Logger;
  onGarbled?(reason: GarbledReason, bytes: number): void;
}

export class FixListener {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private nextId = 0;

  private constructor(
    private readonly config: IJsFixConfig,
    readonly options: FixListenerOptions,
  ) {}

  static async open(options: FixListenerOptions): Promise<FixListener> {
    const description = {
      application: {
        name: options.name,
        type: 'acceptor',
        protocol: 'ascii',
        dictionary: 'repo44',
        resilient: false,
        reconnectSeconds: 0,
        tcp: { host: options.host, port: options.port },
      },
      Name: options.name,
      SenderCompId: options.compId,
      TargetCompID: '*',
      BeginString: 'FIX.4.4',
      HeartBtInt: 30,
      ResetSeqNumFlag: false,
      SenderSubID: '',
      TargetSubID: '',
      Username: '',
      Password: '',
    } satisfies ISessionDescription;
    const container = new SessionContainer();
    container.registerGlobal(new PinoFixLogFactory(options.logger));
    const scope = await container.makeSystem(description);
    const config = scope.resolve<IJsFixConfig>(DITokens.IJsFixConfig);
    config.sessionStoreFactory = { create: options.sessionStore };
    return new FixListener(config, options);
  }

  /** Listens; resolves once the port is bound. */
  async listen(): Promise<void> {
    const { tls, host, port, name } = this.options;
    const server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key }, (socket) => this.accept(socket))
      : createServer((socket) => this.accept(socket));
    // A client that never finishes its TLS handshake is its own problem, not the listener's.
    server.on('tlsClientError', (error: Error) =>
      this.options.logger.debug({ err: error }, `${name}: TLS handshake failed`),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: Error) =>
        reject(new Error(`${name}: cannot listen on ${host}:${port}: ${error.message}`)),
      );
      server.listen(port, host, () => resolve());
    });
    server.on('error', (error: Error) => this.options.logger.error({ err: error }, `${name} failed`));
    this.server = server;
  }

  /** Stops accepting; the sessions are logged out by their owner, then what is still open is closed. */
  async close(graceMs = 1_000): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const deadline = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, graceMs);
    await closed;
    clearTimeout(deadline);
  }

  private accept(socket: Socket): void {
    const id = ++this.nextId;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    // A reset connection ends its session through 'close'; the error itself is only worth a debug line.
    socket.on('error', (error) =>
      this.options.logger.debug({ err: error, transport: id }, 'FIX socket error'),
    );
    socket.once('close', () => this.sockets.delete(socket));
    const guard = new FixFrameGuard({
      maxMessageBytes: MAX_MESSAGE_BYTES,
      onGarbled: (reason, bytes) => this.options.onGarbled?.(reason, bytes),
    });
    socket.pipe(guard);
    const duplex: FixDuplex = {
      readable: guard,
      writable: new CoalescingSocketWriter(socket),
      end: () => socket.end(),
      destroy: () => socket.destroy(),
    };
    const scoped = makeSessionScope(this.config);
    const session = new ClientSession(scoped, this.options.session, socket.remoteAddress ?? 'unknown');
    const transport = new MsgTransport(id, scoped, duplex);
    // jspurefix emits 'error' from the session and its parser, and drops its own listeners when the session
    // ends; ours stay, so a bad message arriving after that ends the connection instead of the process.
    session.on('error', () => undefined);
    transport.receiver.on('error', (error: Error) => {
      this.options.logger.debug({ err: error, transport: id }, 'FIX parser refused a message');
      socket.destroy();
    });
    session
      .run(transport)
      .catch((error: Error) =>
        this.options.logger.debug({ err: error, transport: id }, 'FIX session ended with an error'),
      )
      .finally(() => {
        socket.unpipe(guard);
        socket.destroy();
      });
  }
}
