// One persistence pipeline in this process, on the real NATS and PostgreSQL: a schema and subject root
// of its own, every capture family read by a FamilyReader, shared through a real SlotMembership.
import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import {
  createBuckets,
  createStreams,
  createSubjects,
  encodePayload,
  type Streams,
  type Subjects,
} from '@tm/contracts';
import { SlotMembership } from '@tm/membership';
import { DeadLetterPublisher, NatsLink, provisionStream, ReliablePublisher } from '@tm/messaging';
import { createServiceDataSource, createTestSchema, runMigrations, type TestSchema } from '@tm/persistence';
import { tmSlotMigration } from '@tm/sharding';
import { createLogger } from '@tm/telemetry';
import { uniqueSubjectRoot } from '@tm/testing';
import pg from 'pg';
import { BatchWriter, OrderedBatchWriter, type BatchOutcome } from '../src/batching/batch-writer.js';
import { CAPTURE_FAMILIES } from '../src/capture/capture-families.js';
import { CheckpointStore } from '../src/consumption/checkpoint-store.js';
import { FamilyReader } from '../src/consumption/family-reader.js';
import { PersistenceWorker } from '../src/consumption/persistence-worker.js';
import { persisterTablesMigration } from '../src/migrations/0001-persister-tables.migration.js';
import { digestMigration } from '../src/migrations/0002-digest.migration.js';
import { PartitionKeeper } from '../src/tables/partition-keeper.js';

export const logger = createLogger({ service: 'persister', instance: 'test', level: 'silent' });

export interface PipelineOptions {
  batchRows: number;
  flushMs: number;
  /** The pool the batches are written through (a proxy's, to cut PostgreSQL away). */
  pool?: pg.Pool;
}

export class PersistenceFixture {
  readonly committed: BatchOutcome[] = [];
  /** The readers of the last worker made. */
  lastReaders: FamilyReader[] = [];
  private readonly workers = new Set<PersistenceWorker>();

  private constructor(
    readonly schema: TestSchema,
    readonly pool: pg.Pool,
    readonly link: NatsLink,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly subjects: Subjects,
    readonly streams: Streams,
    private readonly publisher: ReliablePublisher,
    readonly deadLetters: DeadLetterPublisher,
  ) {}

  static async open(databaseUrl: string, natsUrl: string): Promise<PersistenceFixture> {
    const schema = await createTestSchema(databaseUrl, 'persist');
    const ds = createServiceDataSource({
      url: databaseUrl,
      schema: schema.schema,
      applicationName: 'test',
      migrations: [],
    });
    await ds.initialize();
    // tm_slot first, as the service host does: the tables' checks call it.
    for (const migrations of [[tmSlotMigration], [persisterTablesMigration, digestMigration]])
      await runMigrations(ds, { schema: schema.schema, migrations });
    await ds.destroy();
    const root = uniqueSubjectRoot();
    const subjects = createSubjects(root);
    const streams = createStreams(root);
    const link = await NatsLink.connect({
      servers: [natsUrl],
      name: 'persister-test',
      pingIntervalMs: 2_000,
      maxPingOut: 3,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    const jsm = await link.jetstreamManager();
    for (const spec of [streams.MD, streams.EXEC, streams.FLOW, streams.SYS, streams.DLQ])
      await provisionStream(jsm, spec);
    const publisher = new ReliablePublisher(link, { maxInFlight: 256 });
    const deadLetters = new DeadLetterPublisher({
      publisher,
      subjects,
      service: 'persister',
      instance: 'test',
    });
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
    pool.on('error', () => undefined);
    return new PersistenceFixture(
      schema,
      pool,
      link,
      jetstream(link.connection),
      jsm,
      subjects,
      streams,
      publisher,
      deadLetters,
    );
  }

  /** Publishes to JetStream and waits for every ack. */
  async publish(messages: readonly { subject: string; payload: unknown }[]): Promise<void> {
    await Promise.all(
      messages.map((m) =>
        this.js.publish(m.subject, typeof m.payload === 'string' ? m.payload : encodePayload(m.payload)),
      ),
    );
  }

  /** Readers for every family, as the service builds them. */
  readers(options: PipelineOptions): FamilyReader[] {
    const pool = options.pool ?? this.pool;
    const writer = new OrderedBatchWriter(
      new BatchWriter({
        pool,
        schema: this.schema.schema,
        partitions: new PartitionKeeper(pool, this.schema.schema),
        replayInitialDelayMs: 5_000,
      }),
    );
    return CAPTURE_FAMILIES.map(
      (family) =>
        new FamilyReader({
          family,
          stream: family.stream(this.streams).name,
          filterSubject: family.filterSubject(this.subjects),
          nc: this.link.connection,
          jsm: this.jsm,
          writer,
          checkpoints: new CheckpointStore(pool, this.schema.schema),
          batchRows: options.batchRows,
          flushMs: options.flushMs,
          deadLetter: (input) => this.deadLetters.send(input),
          onCommitted: (_, outcome) => this.committed.push(outcome),
          onFlushFailed: () => undefined,
          onLost: () => undefined,
          logger,
        }),
    );
  }

  /** A worker sharing the slots with the other live workers under `instanceId`. */
  async worker(instanceId: string, options: PipelineOptions): Promise<PersistenceWorker> {
    const bucket = createBuckets(this.subjects.root).PERSISTER_MEMBERS;
    this.lastReaders = this.readers(options);
    const worker = new PersistenceWorker(
      this.lastReaders,
      () => SlotMembership.open(this.link.connection, { bucket, instanceId, memberTtlMs: 1_000 }),
      logger,
    );
    this.workers.add(worker);
    await worker.start();
    return worker;
  }

  async count(table: string, where = 'true'): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${this.schema.schema}"."${table}" WHERE ${where}`,
    );
    return Number(rows[0]!.n);
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.stop(Date.now() + 5_000)));
    this.publisher.close();
    for (const spec of Object.values(this.streams))
      await this.jsm.streams.delete(spec.name).catch(() => false);
    await this.jsm.streams
      .delete(`KV_${createBuckets(this.subjects.root).PERSISTER_MEMBERS}`)
      .catch(() => false);
    await this.link.close();
    await this.pool.end();
    await this.schema.drop();
  }
}
