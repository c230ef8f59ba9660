// One FIX 4.4 listening port (plain TCP or TLS) for every client: jspurefix's acceptor with TargetCompID
// `*`, so a session takes its identity from the client's Logon, and sessions kept in PostgreSQL.
import type { EventEmitter } from 'node:events';
import type { Logger } from '@tm/telemetry';
import {
  DITokens,
  SessionContainer,
  type IJsFixConfig,
  type IJsFixLogger,
  type ISessionDescription,
  JsFixLoggerFactory,
  type JsFixLogFields,
  type SessionId,
} from 'jspurefix';
import type { DependencyContainer } from 'tsyringe';
import { ClientSession, type ClientSessionDependencies } from '../session/client-session.js';
import type { PostgresSessionStore } from '../session/postgres-session-store.js';

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
}

/** jspurefix's log lines into ours, at debug (its info is per message) except warnings and errors. */
class PinoFixLogFactory extends JsFixLoggerFactory {
  constructor(private readonly log: Logger) {
    super();
  }
  logger(type: string, context?: JsFixLogFields): IJsFixLogger {
    const log = this.log.child({ fix: type, ...context });
    return {
      info: (message) => log.debug(message),
      debug: (message) => log.trace(message),
      warning: (message) => log.warn(message),
      error: (e) => log.warn({ err: e }, 'FIX session error'),
    };
  }
  plain(fileName: string): IJsFixLogger {
    return this.logger(fileName);
  }
}

/** What jspurefix's TcpAcceptorListener (not exported at the package root) is to us. */
interface AcceptorEntity {
  start(): Promise<unknown>;
  stop(): void;
  acceptor: { server: EventEmitter & { listening: boolean } };
}

export class FixListener {
  private listener: AcceptorEntity | null = null;

  private constructor(
    private readonly scope: DependencyContainer,
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
        tcp: {
          host: options.host,
          port: options.port,
          ...(options.tls && {
            tls: { requestCert: false, rejectUnauthorized: false, nodeTlsServerOptions: options.tls },
          }),
        },
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
    scope.register(DITokens.FixSession, {
      useFactory: (c) => new ClientSession(c.resolve<IJsFixConfig>(DITokens.IJsFixConfig), options.session),
    });
    return new FixListener(scope, options);
  }

  /** Listens; resolves once the port is bound. */
  async listen(): Promise<void> {
    const listener = this.scope.resolve<AcceptorEntity>(DITokens.FixEntity);
    this.listener = listener;
    void listener.start();
    // start() binds synchronously; without a listener here a busy port would be an uncaught 'error'.
    const server = listener.acceptor.server;
    await new Promise<void>((resolve, reject) => {
      if (server.listening) return resolve();
      server.once('listening', () => resolve());
      server.once('error', (error: Error) =>
        reject(
          new Error(`${this.options.name}: cannot listen on port ${this.options.port}: ${error.message}`),
        ),
      );
    });
    server.on('error', (error: Error) =>
      this.options.logger.error({ err: error }, `${this.options.name} failed`),
    );
  }

  close(): void {
    this.listener?.stop();
    this.listener = null;
  }
}
