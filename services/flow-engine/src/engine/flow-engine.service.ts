import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { ConfigOf } from '@tm/config';
import { createBuckets, createStreams, type Subjects } from '@tm/contracts';
import { SlotMembership } from '@tm/membership';
import {
  NatsLink,
  provisionStream,
  ReliablePublisher,
  RequestClient,
  type DeadLetterPublisher,
} from '@tm/messaging';
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
import { FlowCommandServer } from '../commands/flow-command.server.js';
import type { flowEngineConfigSpec } from '../config/flow-engine.config.js';
import { FLOW_ENGINE_SCHEMA } from '../flow-engine-schema.js';
import { AggregateReader } from '../market/aggregate-reader.js';
import { FlowEventOutbox } from '../publishing/flow-event-outbox.js';
import { FlowCommitBatcher } from '../store/flow-commit-batcher.js';
import { FlowStore } from '../store/flow-store.js';
import { OrderEvents } from '../venue/order-events.js';
import { VenueRpcClient } from '../venue/venue-rpc.client.js';
import { FlowWorker } from './flow-worker.js';

type Config = ConfigOf<typeof flowEngineConfigSpec>;
/** Connections: the commit lanes, plus reads (resume, get, tag selection) and the outbox's marks. */
const READ_CONNECTIONS = 4;
/** Events sent to the FLOW stream at once: each carries its own id, order is kept by (flow, seq). */
const EVENTS_IN_FLIGHT = 256;
const AGGREGATE_MAX_AGE_MS = 100;

/** The flows as one lifecycle feature (`flows`): paused, the engine stops its runners and leaves its slots. */
@Injectable()
export class FlowEngineService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private pool!: pg.Pool;
  private batcher!: FlowCommitBatcher;
  private outbox!: FlowEventOutbox;
  private publisher!: ReliablePublisher;
  private orderEvents!: OrderEvents;
  private worker!: FlowWorker;
  private commands!: FlowCommandServer;
  private gaugeTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_LINK) private readonly link: NatsLink,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterPublisher,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly lifecycle: ApplicationLifecycle,
    private readonly metrics: MetricsRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const c = this.config;
    this.pool = new pg.Pool({
      connectionString: c.databaseUrl,
      max: c.commitLanes + READ_CONNECTIONS,
      connectionTimeoutMillis: 3_000,
      application_name: `flow-engine/${this.identity.instance}`,
    });
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
    const commitLatency = this.metrics.summary(
      'tm_flow_commit_seconds',
      'Time from a flow commit (a step, an attempt, an order intent) to its durable answer',
      [0.5, 0.9, 0.99, 0.999],
    );
    const statementLatency = this.metrics.summary(
      'tm_flow_commit_statement_seconds',
      'One group-commit statement, from sending it to its answer (connection wait included)',
      [0.5, 0.99],
    );
    const batchSize = this.metrics.summary(
      'tm_flow_commit_batch_commits',
      'Commits per group-commit statement',
      [0.5, 0.99],
    );
    const flowsActive = this.metrics.gauge('tm_flow_active', 'Flows this instance is running now');
    this.batcher = new FlowCommitBatcher(this.pool, FLOW_ENGINE_SCHEMA, {
      lanes: c.commitLanes,
      maxBatch: c.commitBatch,
      onCommitted: (ms) => commitLatency.observe(ms / 1_000),
      onStatement: (ms, commits) => {
        statementLatency.observe(ms / 1_000);
        batchSize.observe(commits);
      },
    });
    const nc = this.link.connection;
    const jsm = await this.link.jetstreamManager();
    await provisionStream(jsm, createStreams(this.subjects.root).FLOW);
    this.publisher = new ReliablePublisher(this.link, {
      maxInFlight: EVENTS_IN_FLIGHT,
      onError: (error) => this.logger.warn({ err: error }, 'flow event publish will be retried'),
    });
    const store = new FlowStore(this.pool, FLOW_ENGINE_SCHEMA);
    this.outbox = new FlowEventOutbox(
      nc,
      this.publisher,
      this.pool,
      FLOW_ENGINE_SCHEMA,
      this.subjects,
      this.logger,
    );
    const requests = new RequestClient(this.link);
    this.orderEvents = new OrderEvents(nc, this.subjects);
    this.worker = new FlowWorker(
      () =>
        SlotMembership.open(nc, {
          bucket: createBuckets(this.subjects.root).FLOW_ENGINE_MEMBERS,
          instanceId: this.identity.instance,
          memberTtlMs: c.memberTtlMs,
          logger: this.logger,
        }),
      store,
      {
        batcher: this.batcher,
        store,
        outbox: this.outbox,
        venue: new VenueRpcClient(requests, this.subjects, c.venueTimeoutMs),
        market: new AggregateReader(requests, this.subjects, c.marketTimeoutMs, AGGREGATE_MAX_AGE_MS),
        orderEvents: this.orderEvents,
        settings: {
          maxNotional: c.maxNotional,
          priceBandBps: c.priceBandBps,
          transferWhitelist: c.transferWhitelist,
          amendInPlaceVenues: c.amendInPlaceVenues,
          orderPollMs: c.orderPollMs,
          defaultMaxAttempts: c.defaultMaxAttempts,
          retryBaseMs: c.retryBaseMs,
          retryMaxMs: c.retryMaxMs,
        },
        logger: this.logger,
      },
      {
        instance: this.identity.instance,
        startReplyWaitMs: c.startReplyWaitMs,
        resumeSweepMs: c.resumeSweepMs,
      },
      this.logger,
    );
    this.commands = new FlowCommandServer(nc, this.subjects, this.worker, this.deadLetters, this.logger);
    this.lifecycle.registerFeature('flows', {
      pause: () => this.stopWork(Date.now() + 5_000),
      resume: () => this.startWork(),
      drain: (deadline) => this.stopWork(deadline),
    });
    this.gaugeTimer = setInterval(() => flowsActive.set(this.worker.activeFlows), 1_000);
    this.gaugeTimer.unref();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.startWork();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.gaugeTimer);
    await this.stopWork(Date.now() + 5_000);
    await this.outbox.stop(5_000);
    this.publisher.close();
    await this.batcher.close();
    await this.pool.end();
  }

  private async startWork(): Promise<void> {
    this.outbox.start();
    this.orderEvents.start();
    await this.worker.start();
    this.commands.start();
  }

  /** Answers the commands in hand, then stops every runner where it is; the next owner resumes them. */
  private async stopWork(deadline: number): Promise<void> {
    await this.commands.stop(deadline);
    await this.worker.stop();
    this.orderEvents.stop();
  }
}
