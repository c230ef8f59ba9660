import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { ConfigOf } from '@tm/config';
import { createBuckets, createStreams, type Subjects } from '@tm/contracts';
import {
  provisionStream,
  type DeadLetterPublisher,
  type NatsLink,
  type ReliablePublisher,
} from '@tm/messaging';
import {
  ApplicationLifecycle,
  DATA_SOURCE,
  DEAD_LETTERS,
  LOGGER,
  NATS_LINK,
  RELIABLE_PUBLISHER,
  SERVICE_CONFIG,
  SERVICE_IDENTITY,
  SUBJECTS,
  type ServiceIdentity,
} from '@tm/service-host';
import { MetricsRegistry, type Logger } from '@tm/telemetry';
import type { DataSource } from 'typeorm';
import type { venueConnectorsConfigSpec } from '../config/venue-connectors.config.js';
import { CredentialStore } from '../credentials/credential-store.js';
import { BookResyncListener } from '../market-data/book-resync.listener.js';
import { ExecutionOutbox } from '../execution/execution-outbox.js';
import { KvBudgetLedger, RATE_BUDGET_DEFAULTS, type RateBudgetSettings } from '../rate-limit/index.js';
import { VenueRpcServer } from '../rpc/venue-rpc.server.js';
import { VENUE_CONNECTORS_SCHEMA } from '../venue-connectors.schema.js';
import {
  assembleVenueSession,
  type AssembledSession,
  type SessionInfrastructure,
} from './assemble-venue-session.js';
import { SessionLease } from './session-lease.js';
import { SessionMetrics } from './session-metrics.js';
import { VenueAdapterFactory } from './venue-adapter.factory.js';

type Config = ConfigOf<typeof venueConnectorsConfigSpec>;
const OUTBOX_SWEEP_MS = 2_000;

/**
 * One VenueSession per configured venue account, each a lifecycle feature (`venue:<venue>/<account>`):
 * built at module init, serving venue RPC and streaming once the application is up, drained on stop.
 */
@Injectable()
export class VenueSessionsService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly assembled = new Map<string, AssembledSession>();
  private outbox!: ExecutionOutbox;
  private rpc!: VenueRpcServer;
  private factory!: VenueAdapterFactory;
  private bookResync!: BookResyncListener;
  private readonly sessionMetrics: SessionMetrics;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_LINK) private readonly link: NatsLink,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(RELIABLE_PUBLISHER) private readonly publisher: ReliablePublisher,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterPublisher,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly lifecycle: ApplicationLifecycle,
    private readonly metrics: MetricsRegistry,
  ) {
    this.sessionMetrics = new SessionMetrics(metrics);
  }

  async onModuleInit(): Promise<void> {
    const streams = createStreams(this.subjects.root);
    const jsm = await this.link.jetstreamManager();
    await provisionStream(jsm, streams.MD);
    await provisionStream(jsm, streams.EXEC);
    const budgetSettings: RateBudgetSettings = {
      ...RATE_BUDGET_DEFAULTS,
      dataPerSecond: this.config.dataMsgPerSec,
      executionPerSecond: this.config.execMsgPerSec,
      cancelReserveFraction: this.config.cancelHeadroomPercent / 100,
    };
    this.outbox = new ExecutionOutbox(
      this.dataSource,
      VENUE_CONNECTORS_SCHEMA,
      this.publisher,
      this.subjects,
      this.logger,
    );
    this.rpc = new VenueRpcServer(this.link, this.subjects, this.deadLetters, this.logger);
    this.bookResync = new BookResyncListener(
      this.link.connection,
      this.subjects,
      () => [...this.assembled.values()].map(({ session }) => session),
      this.deadLetters,
      this.logger,
    );
    this.factory = new VenueAdapterFactory(
      new CredentialStore(this.config.credentialsDir),
      this.config.paperStepMs,
    );
    const infra: SessionInfrastructure = {
      link: this.link,
      subjects: this.subjects,
      dataSource: this.dataSource,
      schema: VENUE_CONNECTORS_SCHEMA,
      outbox: this.outbox,
      ledger: await KvBudgetLedger.open(
        this.link.connection,
        createBuckets(this.subjects.root).VENUE_BUDGET,
        budgetSettings,
      ),
      budgetSettings,
      breaker: {
        failures: this.config.breakerFailures,
        windowMs: this.config.breakerWindowMs,
        halfOpenAfterMs: this.config.breakerHalfOpenMs,
      },
      session: {
        reconnectBaseMs: this.config.reconnectBaseMs,
        reconnectMaxMs: this.config.reconnectMaxMs,
        idleFeedMs: this.config.idleFeedMs,
        diagnosticsIntervalMs: this.config.diagnosticsIntervalMs,
      },
      orderResolveWindowMs: this.config.orderResolveWindowMs,
      leases: {
        kv: await SessionLease.bucket(
          this.link.connection,
          createBuckets(this.subjects.root).VENUE_SESSIONS,
          this.config.sessionLeaseMs,
        ),
        instance: this.identity.instance,
        ttlMs: this.config.sessionLeaseMs,
      },
      metrics: this.metrics,
      logger: this.logger,
    };
    for (const account of this.config.venues) {
      const name = `${account.venue}/${account.account}`;
      // The hooks find the session by name: it is built after its feature is registered.
      const machine = this.lifecycle.registerFeature(`venue:${name}`, {
        pause: () => this.assembled.get(name)?.session.stop(),
        resume: () => this.assembled.get(name)?.session.start(),
        drain: async (deadline) => {
          await this.rpc.drain(deadline);
          await this.assembled.get(name)?.session.close();
          await this.assembled.get(name)?.budget.close();
        },
      });
      const assembled = await assembleVenueSession(
        infra,
        account,
        (throttle) => this.factory.create(account, throttle),
        machine,
      );
      this.assembled.set(name, assembled);
    }
  }

  onApplicationBootstrap(): void {
    this.outbox.start(OUTBOX_SWEEP_MS);
    this.factory.paperVenue?.start();
    for (const { session } of this.assembled.values()) {
      this.rpc.serve(session);
      session.start();
    }
    this.bookResync.start();
    this.sessionMetrics.start(() => [...this.assembled.values()].map(({ session }) => session.status()));
  }

  async onApplicationShutdown(): Promise<void> {
    this.bookResync.stop();
    this.sessionMetrics.stop();
    this.factory.paperVenue?.stop();
    await this.outbox.stop();
  }
}
