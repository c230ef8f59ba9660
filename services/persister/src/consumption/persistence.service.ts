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
import { NatsLink, provisionStream, type DeadLetterPublisher } from '@tm/messaging';
import {
  ApplicationLifecycle,
  connectNats,
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
import { BatchWriterThread } from '../batching/batch-writer-thread.js';
import { CAPTURE_FAMILIES } from '../capture/capture-families.js';
import type { persisterConfigSpec } from '../config/persister.config.js';
import { DigestScheduler } from '../digest/digest-scheduler.js';
import { PERSISTER_SCHEMA } from '../persister-schema.js';
import { ReplayWorker } from '../replays/replay-worker.js';
import { PartitionKeeper } from '../tables/partition-keeper.js';
import { RetentionSweeper } from '../tables/retention-sweeper.js';
import { CheckpointStore } from './checkpoint-store.js';
import { FamilyReader } from './family-reader.js';
import { PersistenceWorker } from './persistence-worker.js';
import { PersisterMetrics } from './persister-metrics.js';

type Config = ConfigOf<typeof persisterConfigSpec>;
/** Connections for checkpoints, replays, digest and sweeps (batch commits have the writer thread's own). */
const POOL_SIZE = 6;
const GAUGE_REFRESH_MS = 1_000;

/** The persistence as one lifecycle feature (`capture`): paused, it commits what it holds and leaves its slots to the others. */
@Injectable()
export class PersistenceService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private pool!: pg.Pool;
  private writer!: BatchWriterThread;
  private worker!: PersistenceWorker;
  private readers: FamilyReader[] = [];
  private replays!: ReplayWorker;
  private replayTimer: NodeJS.Timeout | undefined;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  private sweeper!: RetentionSweeper;
  private digest!: DigestScheduler;
  private feed!: NatsLink;
  private readonly metrics: PersisterMetrics;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_LINK) private readonly link: NatsLink,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterPublisher,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly lifecycle: ApplicationLifecycle,
    private readonly registry: MetricsRegistry,
  ) {
    this.metrics = new PersisterMetrics(registry);
  }

  async onModuleInit(): Promise<void> {
    const c = this.config;
    this.pool = new pg.Pool({
      connectionString: c.databaseUrl,
      max: POOL_SIZE,
      connectionTimeoutMillis: 3_000,
      application_name: `persister/${this.identity.instance}`,
    });
    // A restarted server ends idle connections: that is a dependency going away (DependencyWatch says so), not a crash.
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
    const partitions = new PartitionKeeper(this.pool, PERSISTER_SCHEMA);
    this.writer = new BatchWriterThread({
      databaseUrl: c.databaseUrl,
      schema: PERSISTER_SCHEMA,
      applicationName: `persister/${this.identity.instance}/writer`,
      poolSize: CAPTURE_FAMILIES.length,
      replayInitialDelayMs: c.replayInitialDelayMs,
    });
    const checkpoints = new CheckpointStore(this.pool, PERSISTER_SCHEMA);
    this.digest = new DigestScheduler({
      pool: this.pool,
      schema: PERSISTER_SCHEMA,
      ownedRanges: () => this.worker.ownedRanges,
      eagerMs: c.digestEagerMs,
      lazyMs: c.digestLazyMs,
      metrics: this.registry,
      logger: this.logger,
      partitions,
    });
    // The streams on a connection of their own: a backlog being read never holds up membership renewals.
    this.feed = await connectNats(c, `persister/${this.identity.instance}/streams`, this.logger);
    const jsm = await this.feed.jetstreamManager();
    const streams = createStreams(this.subjects.root);
    for (const spec of new Set(CAPTURE_FAMILIES.map((family) => family.stream(streams))))
      await provisionStream(jsm, spec);
    this.readers = CAPTURE_FAMILIES.map(
      (family) =>
        new FamilyReader({
          family,
          stream: family.stream(streams).name,
          filterSubject: family.filterSubject(this.subjects),
          nc: this.feed.connection,
          jsm,
          writer: this.writer,
          checkpoints,
          batchRows: c.batchRows,
          flushMs: c.flushMs,
          deadLetter: (input) => this.deadLetters.send(input),
          onCommitted: (name, outcome) => {
            this.metrics.committed(name, outcome);
            if (outcome.rows > 0) this.digest.noteActivity();
          },
          onFlushFailed: (name) => this.metrics.batchFailures.inc({ family: name }),
          onLost: (name, count) => this.metrics.lost.inc({ family: name }, count),
          logger: this.logger,
        }),
    );
    const nc = this.link.connection;
    const buckets = createBuckets(this.subjects.root);
    this.worker = new PersistenceWorker(
      this.readers,
      () =>
        SlotMembership.open(nc, {
          bucket: buckets.PERSISTER_MEMBERS,
          instanceId: this.identity.instance,
          memberTtlMs: c.memberTtlMs,
          logger: this.logger,
        }),
      this.logger,
    );
    this.replays = new ReplayWorker(
      this.pool,
      PERSISTER_SCHEMA,
      partitions,
      { maxRetries: c.replayMaxRetries, perTick: c.replayPerTick, initialDelayMs: c.replayInitialDelayMs },
      this.logger,
    );
    this.sweeper = new RetentionSweeper(partitions, c.retentionDays, c.retentionSweepMs, this.logger);
    this.lifecycle.registerFeature('capture', {
      pause: () => this.worker.stop(),
      resume: () => this.worker.start(),
      drain: (deadline) => this.worker.stop(deadline),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.worker.start();
    this.digest.start();
    this.sweeper.start();
    this.replayTimer = setInterval(() => this.replayTick(), this.config.replayTickMs);
    this.replayTimer.unref();
    this.gaugeTimer = setInterval(() => this.refreshGauges(), GAUGE_REFRESH_MS);
    this.gaugeTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.replayTimer);
    clearInterval(this.gaugeTimer);
    await this.worker.stop();
    await Promise.all([this.replaying, this.digest.stop(), this.sweeper.stop()]);
    await this.feed.close();
    await this.writer.close();
    await this.pool.end();
  }

  private refreshGauges(): void {
    for (const reader of this.readers)
      this.metrics.pendingRows.set({ family: reader.family }, reader.pendingRows);
    this.metrics.ownedSlots.set(this.worker.ownedSlotCount);
  }

  private replayTick(): void {
    if (this.replaying) return;
    this.replaying = (async () => {
      try {
        await this.replays.tick(this.worker.ownedRanges);
        const { rows } = await this.pool.query<{ state: string; count: string }>(
          `SELECT state, count(*) AS count FROM "${PERSISTER_SCHEMA}"._replays GROUP BY state`,
        );
        for (const state of ['pending', 'exhausted'])
          this.metrics.replays.set({ state }, Number(rows.find((r) => r.state === state)?.count ?? 0));
      } catch (error) {
        this.logger.warn({ err: error }, 'replay tick failed');
      }
    })().finally(() => {
      this.replaying = undefined;
    });
  }
}
