// Keeps one initiator session per configured LP up: connects (TCP or TLS), logs on, and after a drop or a refused
// connect tries again forever, waiting by exponential backoff with full jitter (base 1 s, capped at the product's
// 60 s). The reconnect loop is ours, not jspurefix's RecoveringTcpInitiator, whose fixed waits and connect-retry
// interval we could not bound or observe.
import { ReconnectBackoff } from '@tm/messaging';
import { readFileSync } from 'node:fs';
import { createConnection, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { NatsConnection } from '@nats-io/transport-node';
import { PRODUCT_DEFAULTS } from '@tm/config';
import { nowMicros, type Subjects } from '@tm/contracts';
import type { Logger } from '@tm/telemetry';
import {
  DITokens,
  MemorySessionStore,
  MsgTransport,
  SessionContainer,
  TcpDuplex,
  type IJsFixConfig,
  type ISessionDescription,
  type SessionId,
} from 'jspurefix';
import { PinoFixLogFactory } from '../jspurefix/pino-fix-log-factory.js';
import { liquiditySourceOf, type LiquidityProviderConfig } from './liquidity-provider.config.js';
import { LiquidityProviderSession } from './liquidity-provider-session.js';
import { LpBooks, type LpBookOutput } from './lp-book.js';
import { NatsLpMarketDataPublisher, type LpMarketDataSink } from './lp-market-data.publisher.js';

export type LiquidityProviderLinkState = 'connecting' | 'logged-on' | 'waiting' | 'stopped';

export interface LiquidityProviderLinkCounters {
  /** Sessions that logged on. */
  logons: number;
  /** Connect attempts after the first (each follows a drop or a failed attempt). */
  reconnects: number;
  ticksPublished: number;
  booksPublished: number;
  /** W/X entries that could not be applied (unknown symbol, bad price or size). */
  refusedEntries: number;
  /** MarketDataRequestRejects (Y) received. */
  rejects: number;
}

export interface LiquidityProviderBackoffOptions {
  /** Ceiling of the first wait; default 1 s. */
  baseMs?: number;
  /** Longest wait; default the product's reconnect cap, 60 s. */
  capMs?: number;
  /** For tests: the jitter source, [0, 1). */
  random?: () => number;
}

export interface LiquidityProviderLinkOptions {
  lp: LiquidityProviderConfig;
  /** Where books and ticks go (NatsLpMarketDataPublisher in the service). */
  sink: LpMarketDataSink;
  logger: Logger;
  backoff?: LiquidityProviderBackoffOptions;
  /** How long a TCP/TLS connect may take before it counts as failed; default 10 s. */
  connectTimeoutMs?: number;
  /** How long stop() waits for the LP to confirm our Logout before it drops the socket; default 2 s. */
  logoutTimeoutMs?: number;
  /** Receive time in microseconds; default nowMicros. */
  clock?: () => number;
  /** Every state change, for lifecycle and metrics. */
  onStateChange?: (state: LiquidityProviderLinkState, link: LiquidityProviderLink) => void;
}

const DEFAULT_BACKOFF_BASE_MS = 1_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_LOGOUT_TIMEOUT_MS = 2_000;

export class LiquidityProviderLink {
  readonly source: string;
  readonly counters: LiquidityProviderLinkCounters = {
    logons: 0,
    reconnects: 0,
    ticksPublished: 0,
    booksPublished: 0,
    refusedEntries: 0,
    rejects: 0,
  };
  private currentState: LiquidityProviderLinkState = 'stopped';
  private readonly books: LpBooks;
  private readonly backoff: ReconnectBackoff;
  private readonly ca: string | undefined;
  private readonly log: Logger;
  private running: Promise<void> | null = null;
  private stopping = false;
  private session: LiquidityProviderSession | null = null;
  private pendingSocket: Socket | null = null;
  private wake: (() => void) | null = null;
  private connections = 0;
  /** Sequence numbers across connections of this link (they matter when resetSeqNumOnLogon is false). */
  private store: MemorySessionStore | null = null;

  constructor(private readonly options: LiquidityProviderLinkOptions) {
    const { lp } = options;
    this.source = liquiditySourceOf(lp.name);
    this.books = new LpBooks(this.source, lp.instruments);
    this.backoff = new ReconnectBackoff(
      options.backoff?.baseMs ?? DEFAULT_BACKOFF_BASE_MS,
      options.backoff?.capMs ?? PRODUCT_DEFAULTS.reconnectMaxBackoffMs,
      options.backoff?.random,
    );
    this.log = options.logger.child({ lp: lp.name });
    // Read at construction, so a wrong path stops the start instead of failing every reconnect.
    try {
      this.ca = lp.tls?.ca === undefined ? undefined : readFileSync(lp.tls.ca, 'utf8');
    } catch (error) {
      throw new Error(`LP ${lp.name}: cannot read tls.ca ${lp.tls?.ca}: ${(error as Error).message}`);
    }
  }

  get name(): string {
    return this.options.lp.name;
  }

  get state(): LiquidityProviderLinkState {
    return this.currentState;
  }

  /** Starts connecting; the link then keeps itself up until stop(). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop().catch((error: unknown) => {
      // Only setting up jspurefix can land here (a connection's failure is handled in the loop).
      this.log.error({ err: error }, 'LP link failed');
      this.setState('stopped');
    });
  }

  /** Logs out (or gives up connecting / waiting) and resolves once the socket is closed. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.stopping = true;
    this.wake?.();
    this.pendingSocket?.destroy(new Error('link stopped'));
    const session = this.session;
    let forced: NodeJS.Timeout | undefined;
    if (session) {
      session.done();
      forced = setTimeout(
        () => session.dropped('link stopped: no Logout confirmation'),
        this.options.logoutTimeoutMs ?? DEFAULT_LOGOUT_TIMEOUT_MS,
      );
    }
    await running;
    clearTimeout(forced);
    this.running = null;
  }

  private async loop(): Promise<void> {
    const config = await this.makeConfig();
    let first = true;
    while (!this.stopping) {
      if (!first) this.counters.reconnects += 1;
      first = false;
      this.setState('connecting');
      try {
        await this.connectAndRun(config);
      } catch (error) {
        if (!this.stopping) {
          this.log.warn({ err: (error as Error).message, state: this.currentState }, 'LP connection lost');
        }
      } finally {
        this.session = null;
        // The LP's book is unknown until its next W: the next publication of each instrument is a snapshot.
        this.books.clear();
      }
      if (this.stopping) break;
      const wait = this.backoff.next();
      this.setState('waiting');
      this.log.info({ waitMs: wait, attempt: this.backoff.attempts }, 'LP reconnect scheduled');
      await this.sleep(wait);
    }
    this.setState('stopped');
  }

  /** One connection: resolves when its session ends normally, rejects when the connect or the session fails. */
  private async connectAndRun(config: IJsFixConfig): Promise<void> {
    const socket = await this.openSocket();
    if (this.stopping) {
      socket.destroy();
      return;
    }
    this.connections += 1;
    const session = new LiquidityProviderSession(config, {
      lp: this.options.lp,
      mdReqId: `tm-${this.options.lp.name}-${this.connections}`,
      books: this.books,
      sink: this.options.sink,
      logger: this.log,
      clock: this.options.clock ?? nowMicros,
      onLoggedOn: () => {
        this.counters.logons += 1;
        this.backoff.reset();
        this.setState('logged-on');
      },
      onOutput: (output) => this.count(output),
      onRejected: () => {
        this.counters.rejects += 1;
      },
    });
    // jspurefix emits 'error' when a session fails; run() reports it, this only keeps an unheard one from throwing.
    session.on('error', () => undefined);
    this.session = session;
    socket.once('close', () => session.dropped('socket closed'));
    const transport = new MsgTransport(this.connections, config, new TcpDuplex(socket));
    // jspurefix drops its parser listeners when a session ends; a socket error after that would be unheard.
    transport.receiver.on('error', () => socket.destroy());
    await session.run(transport);
  }

  private openSocket(): Promise<Socket> {
    const { host, port, tls } = this.options.lp;
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const servername = tls?.servername ?? (isIP(host) ? undefined : host);
    return new Promise<Socket>((resolve, reject) => {
      const socket: Socket = tls
        ? tlsConnect({
            host,
            port,
            ...(this.ca !== undefined && { ca: [this.ca] }),
            // SNI may not be an IP address: without servername, an IP host sends none.
            ...(servername !== undefined && { servername }),
          })
        : createConnection({ host, port });
      this.pendingSocket = socket;
      const timer = setTimeout(
        () => socket.destroy(new Error(`connect timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        this.pendingSocket = null;
        socket.destroy();
        reject(error);
      };
      // Errors after the connect reach the FIX parser, and the 'close' ends the session; this keeps them from throwing.
      socket.on('error', () => undefined);
      socket.once('error', fail);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        this.pendingSocket = null;
        socket.off('error', fail);
        // As jspurefix's own TLS initiator does: its parser takes text chunks from a TLS socket.
        if (tls) socket.setEncoding('utf8');
        resolve(socket);
      });
    });
  }

  private async makeConfig(): Promise<IJsFixConfig> {
    const { lp } = this.options;
    const description = {
      application: {
        name: `lp-${lp.name}`,
        type: 'initiator',
        protocol: 'ascii',
        dictionary: 'repo44',
        resilient: false,
        reconnectSeconds: 0,
        // Informational only: the link opens the sockets itself.
        tcp: { host: lp.host, port: lp.port },
      },
      Name: lp.name,
      SenderCompId: lp.senderCompId,
      TargetCompID: lp.targetCompId,
      BeginString: 'FIX.4.4',
      HeartBtInt: lp.heartBtInt,
      ResetSeqNumFlag: lp.resetSeqNumOnLogon,
      SenderSubID: '',
      TargetSubID: '',
      // Empty fields are left out of the Logon by jspurefix's encoder.
      Username: lp.username ?? '',
      Password: lp.password ?? '',
    } satisfies ISessionDescription;
    const container = new SessionContainer();
    container.registerGlobal(new PinoFixLogFactory(this.log));
    const scope = await container.makeSystem(description);
    const config = scope.resolve<IJsFixConfig>(DITokens.IJsFixConfig);
    config.sessionStoreFactory = {
      create: (id: SessionId) => (this.store ??= new MemorySessionStore(id)),
    };
    return config;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private count(output: LpBookOutput): void {
    this.counters.ticksPublished += output.ticks.length;
    this.counters.booksPublished += output.books.length;
    this.counters.refusedEntries += output.refused;
  }

  private setState(state: LiquidityProviderLinkState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.log.info({ state }, 'LP link state');
    this.options.onStateChange?.(state, this);
  }
}

export interface LiquidityProviderLinksOptions {
  providers: readonly LiquidityProviderConfig[];
  nc: NatsConnection;
  subjects: Subjects;
  logger: Logger;
  backoff?: LiquidityProviderBackoffOptions;
  connectTimeoutMs?: number;
  logoutTimeoutMs?: number;
  onStateChange?: (state: LiquidityProviderLinkState, link: LiquidityProviderLink) => void;
}

/** Every configured LP's link, publishing onto NATS through one publisher. */
export class LiquidityProviderLinks {
  readonly links: readonly LiquidityProviderLink[];

  constructor(options: LiquidityProviderLinksOptions) {
    const sink = new NatsLpMarketDataPublisher(options.nc, options.subjects);
    this.links = options.providers.map(
      (lp) =>
        new LiquidityProviderLink({
          lp,
          sink,
          logger: options.logger,
          ...(options.backoff && { backoff: options.backoff }),
          ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
          ...(options.logoutTimeoutMs !== undefined && { logoutTimeoutMs: options.logoutTimeoutMs }),
          ...(options.onStateChange && { onStateChange: options.onStateChange }),
        }),
    );
  }

  get(name: string): LiquidityProviderLink | undefined {
    return this.links.find((link) => link.name === name);
  }

  /** Each link's state by LP name, for readiness and status. */
  states(): Record<string, LiquidityProviderLinkState> {
    return Object.fromEntries(this.links.map((link) => [link.name, link.state]));
  }

  start(): void {
    for (const link of this.links) link.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.links.map((link) => link.stop()));
  }
}
