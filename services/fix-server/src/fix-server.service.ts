import { readFileSync } from 'node:fs';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ConfigOf } from '@tm/config';
import {
  ApplicationLifecycle,
  LOGGER,
  SERVICE_CONFIG,
  SERVICE_IDENTITY,
  type ServiceIdentity,
} from '@tm/service-host';
import { MetricsRegistry, type Logger } from '@tm/telemetry';
import pg from 'pg';
import { FixListener } from './acceptor/fix-acceptor.js';
import { FixClientRepository } from './clients/fix-client.repository.js';
import type { fixServerConfigSpec } from './config/fix-server.config.js';
import { FIX_SERVER_SCHEMA } from './fix-server-schema.js';
import { LiveClientSessions } from './session/client-session.js';
import { PostgresSessionStore } from './session/postgres-session-store.js';
import { SessionStoreWriter } from './session/session-store-writer.js';

type Config = ConfigOf<typeof fixServerConfigSpec>;

/** The FIX listeners as one lifecycle feature (`fix-acceptor`): drained, every client is logged out first. */
@Injectable()
export class FixServerService implements OnModuleInit, OnApplicationShutdown {
  readonly live = new LiveClientSessions();
  private pool!: pg.Pool;
  private writer!: SessionStoreWriter;
  clients!: FixClientRepository;
  private listeners: FixListener[] = [];

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly lifecycle: ApplicationLifecycle,
    private readonly metrics: MetricsRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const c = this.config;
    this.pool = new pg.Pool({
      connectionString: c.databaseUrl,
      max: c.databasePoolSize,
      connectionTimeoutMillis: c.databaseAcquireTimeoutMs,
      application_name: `fix-server/${this.identity.instance}`,
    });
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
    this.writer = new SessionStoreWriter(this.pool, FIX_SERVER_SCHEMA, c.storeFlushMs, this.logger);
    this.clients = new FixClientRepository(this.pool, FIX_SERVER_SCHEMA);
    const sessions = this.metrics.gauge('tm_fix_sessions', 'FIX client sessions logged on to this instance');
    const gauge = setInterval(() => sessions.set(this.live.size), 1_000);
    gauge.unref();

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
        session: { clients: this.clients, desks: [], live: this.live, logger: this.logger },
        logger: this.logger,
      });
      await listener.listen();
      this.listeners.push(listener);
      this.logger.info({ port: transport.port, tls: Boolean(transport.tls) }, 'FIX acceptor listening');
    }
    this.lifecycle.registerFeature('fix-acceptor', {
      drain: () => this.close('server shutting down'),
    });
  }

  /** Logs a client out of this instance at once (it was disabled or its password changed). */
  logout(senderCompId: string, reason: string): void {
    this.live.get(senderCompId)?.logout(reason);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close('server shutting down');
    await this.pool.end();
  }

  private async close(reason: string): Promise<void> {
    for (const listener of this.listeners.splice(0)) listener.close();
    this.live.logoutAll(reason);
    await this.writer.flush();
  }
}
