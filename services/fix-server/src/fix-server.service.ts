import { readFileSync } from 'node:fs';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigError, type ConfigOf } from '@tm/config';
import type { Subjects } from '@tm/contracts';
import type { DeadLetterPublisher, NatsLink } from '@tm/messaging';
import {
  ApplicationLifecycle,
  DEAD_LETTERS,
  LOGGER,
  NATS_LINK,
  SERVICE_CONFIG,
  SERVICE_IDENTITY,
  SUBJECTS,
  type ServiceIdentity,
} from '@tm/service-host';
import { MetricsRegistry, type Logger } from '@tm/telemetry';
import pg from 'pg';
import { FixListener } from './acceptor/fix-acceptor.js';
import { FixClientRepository } from './clients/fix-client.repository.js';
import { DEVELOPMENT_FIX_ADMIN_TOKEN, type fixServerConfigSpec } from './config/fix-server.config.js';
import { FIX_SERVER_SCHEMA } from './fix-server-schema.js';
import { LiquidityProviderLinks } from './liquidity/liquidity-provider-link.js';
import { MarketDataDesk } from './market-data/market-data-desk.js';
import { OrderDesk } from './orders/order-desk.js';
import { LiveClientSessions, type ApplicationDesk } from './session/client-session.js';
import { FailedLogonThrottle } from './session/failed-logon-throttle.js';
import { PostgresSessionStore } from './session/postgres-session-store.js';
import { SessionStoreWriter } from './session/session-store-writer.js';

type Config = ConfigOf<typeof fixServerConfigSpec>;
/** Seconds: from a loopback round trip to a slow venue's fill. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The FIX listeners as one lifecycle feature (`fix-acceptor`): drained, every client is logged out first. */
@Injectable()
export class FixServerService implements OnModuleInit, OnApplicationShutdown {
  readonly live = new LiveClientSessions();
  private pool!: pg.Pool;
  private writer!: SessionStoreWriter;
  clients!: FixClientRepository;
  private listeners: FixListener[] = [];
  private marketData!: MarketDataDesk;
  private orders!: OrderDesk;
  private providers!: LiquidityProviderLinks;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(NATS_LINK) private readonly link: NatsLink,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterPublisher,
    private readonly lifecycle: ApplicationLifecycle,
    private readonly metrics: MetricsRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const c = this.config;
    if (c.environment === 'production' && c.adminToken === DEVELOPMENT_FIX_ADMIN_TOKEN)
      throw new ConfigError([
        'TM_FIX_ADMIN_TOKEN: expected a secret of at least 16 characters in production, got the development default',
      ]);
    this.pool = new pg.Pool({
      connectionString: c.databaseUrl,
      max: c.databasePoolSize,
      connectionTimeoutMillis: c.databaseAcquireTimeoutMs,
      application_name: `fix-server/${this.identity.instance}`,
    });
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
    const refusedStates = this.metrics.counter(
      'tm_fix_store_refused_total',
      'Session states PostgreSQL refused (a number out of range): the session is logged out',
    );
    this.writer = new SessionStoreWriter(this.pool, FIX_SERVER_SCHEMA, c.storeFlushMs, this.logger, (id) => {
      refusedStates.inc();
      this.live.endRefused(id);
    });
    this.clients = new FixClientRepository(this.pool, FIX_SERVER_SCHEMA);
    const sessions = this.metrics.gauge('tm_fix_sessions', 'FIX client sessions logged on to this instance');
    const gauge = setInterval(() => sessions.set(this.live.size), 1_000);
    gauge.unref();

    const roundTrip = this.metrics.histogram(
      'tm_fix_test_request_rtt_seconds',
      'Our TestRequest to the client Heartbeat that answers it, per client',
      LATENCY_BUCKETS,
      ['client'],
    );
    const orderLatency = this.metrics.histogram(
      'tm_fix_order_latency_seconds',
      'NewOrderSingle to its New report (ack) and to its first fill report (fill), per client',
      LATENCY_BUCKETS,
      ['client', 'kind'],
    );
    const garbled = this.metrics.counter(
      'tm_fix_garbled_messages_total',
      'Garbled input dropped before the FIX parser (junk, bad header, too long, bad trailer or checksum)',
      ['reason'],
    );
    const nc = this.link.connection;
    this.marketData = new MarketDataDesk({
      nc,
      subjects: this.subjects,
      logger: this.logger,
      snapshotTimeoutMs: c.snapshotTimeoutMs,
      deadLetters: this.deadLetters,
    });
    this.orders = new OrderDesk({
      nc,
      subjects: this.subjects,
      defaultVenue: c.defaultVenue,
      requestTimeoutMs: c.flowTimeoutMs,
      logger: this.logger,
      onLatency: (sessionKey, kind, micros) =>
        orderLatency.observe({ client: clientOfKey(sessionKey), kind }, micros / 1e6),
    });
    const desks: ApplicationDesk[] = [
      {
        msgTypes: ['V'],
        handle: (session, _msgType, obj) =>
          this.marketData.request(
            {
              key: session.key,
              maxSubscriptions: session.client.maxSubscriptions,
              send: (t, o) => session.send(t, o),
            },
            obj,
          ),
        closeSession: (key) => this.marketData.closeSession(key),
      },
      {
        msgTypes: ['D', 'F', 'G', 'H'],
        handle: (session, msgType, obj) =>
          this.orders.handle(
            {
              key: session.key,
              clientId: session.client.senderCompId,
              allowedAccounts: session.client.allowedAccounts,
              send: (t, o) => session.send(t, o),
            },
            msgType as 'D' | 'F' | 'G' | 'H',
            obj,
          ),
        closeSession: (key) => this.orders.closeSession(key),
      },
    ];

    const logonThrottle = new FailedLogonThrottle(c.logonMaxFailures, c.logonWindowMs);
    const transports: Array<{ name: string; port: number; tls?: { cert: string; key: string } }> = [
      { name: 'fix-tcp', port: c.tcpPort },
    ];
    if (c.fixTlsCertFile && c.fixTlsKeyFile)
      transports.push({
        name: 'fix-tls',
        port: c.tlsPort,
        tls: { cert: readFileSync(c.fixTlsCertFile, 'utf8'), key: readFileSync(c.fixTlsKeyFile, 'utf8') },
      });
    for (const transport of transports) {
      const listener = await FixListener.open({
        ...transport,
        compId: c.compId,
        host: c.fixHost,
        sessionStore: (id) => new PostgresSessionStore(id, this.pool, FIX_SERVER_SCHEMA, this.writer),
        session: {
          clients: this.clients,
          logonThrottle,
          desks,
          live: this.live,
          logger: this.logger,
          probeIntervalMs: c.probeIntervalMs,
          onRoundTrip: (client, ms) => roundTrip.observe({ client }, ms / 1_000),
        },
        logger: this.logger,
        onGarbled: (reason) => garbled.inc({ reason }),
      });
      await listener.listen();
      this.listeners.push(listener);
      this.logger.info({ port: transport.port, tls: Boolean(transport.tls) }, 'FIX acceptor listening');
    }
    this.lifecycle.registerFeature('fix-acceptor', {
      drain: () => this.close('server shutting down'),
    });

    const lpState = this.metrics.gauge(
      'tm_fix_lp_logged_on',
      'Liquidity-provider sessions logged on (1) or not (0)',
      ['lp'],
    );
    this.providers = new LiquidityProviderLinks({
      providers: c.liquidityProviders,
      nc,
      subjects: this.subjects,
      logger: this.logger,
      onStateChange: (state, link) => lpState.set({ lp: link.name }, state === 'logged-on' ? 1 : 0),
    });
    if (c.liquidityProviders.length > 0) {
      this.lifecycle.registerFeature('fix-liquidity-providers', {
        pause: () => this.providers.stop(),
        resume: async () => this.providers.start(),
        drain: () => this.providers.stop(),
      });
      this.providers.start();
    }
  }

  /** Logs a client out of this instance at once (it was disabled or its password changed). */
  logout(senderCompId: string, reason: string): void {
    this.live.get(senderCompId)?.logout(reason);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.providers?.stop();
    await this.close('server shutting down');
    await this.pool.end();
  }

  private async close(reason: string): Promise<void> {
    const listeners = this.listeners.splice(0);
    this.live.logoutAll(reason);
    await Promise.all(listeners.map((listener) => listener.close()));
    this.marketData?.close();
    this.orders?.close();
    await this.writer.flush();
  }
}

/** The client's SenderCompID of a session key `SENDER->TARGET`. */
function clientOfKey(sessionKey: string): string {
  return sessionKey.split('->')[0] ?? sessionKey;
}
