// Builds venue sessions for integration tests exactly as the service does (assembleVenueSession), on
// the real NATS and PostgreSQL, in a schema, subject root, streams and KV bucket of the test's own.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { createBuckets, createStreams, createSubjects, decodePayload, ExecutionEventV1 } from '@tm/contracts';
import { LifecycleMachine } from '@tm/lifecycle';
import { NatsLink, provisionStream, ReliablePublisher } from '@tm/messaging';
import { createServiceDataSource, createTestSchema, runMigrations, type TestSchema } from '@tm/persistence';
import { tmSlotMigration } from '@tm/sharding';
import { uniqueSubjectRoot } from '@tm/testing';
import { createLogger } from '@tm/telemetry';
import type { VenueAdapter } from '@tm/venues';
import type { DataSource } from 'typeorm';
import { VenueAccountConfig } from '../src/config/venue-account.config.js';
import { SessionLease } from '../src/sessions/session-lease.js';
import { ExecutionOutbox } from '../src/execution/execution-outbox.js';
import { venueOrdersMigration } from '../src/migrations/0001-venue-orders.migration.js';
import { recordVenueFillMigration } from '../src/migrations/0002-record-venue-fill.migration.js';
import { KvBudgetLedger, RATE_BUDGET_DEFAULTS, type RateBudgetSettings } from '../src/rate-limit/index.js';
import {
  assembleVenueSession,
  type AssembledSession,
  type VenueBudgetHooks,
} from '../src/sessions/assemble-venue-session.js';

// `TM_TEST_LOG_LEVEL=debug npm test -- services/venue-connectors` shows what the sessions do.
const TEST_LOG_LEVEL = (process.env.TM_TEST_LOG_LEVEL ?? 'silent') as 'silent' | 'debug' | 'info' | 'warn';

export interface HarnessOptions {
  budget?: Partial<RateBudgetSettings>;
  /** Sessions claim their account through the lease bucket, as replicas of the service do. */
  leaseTtlMs?: number;
  orderResolveWindowMs?: number;
  idleFeedMs?: number;
}

export interface TestSession extends AssembledSession {
  machine: LifecycleMachine;
}

export class SessionHarness {
  private readonly sessions: TestSession[] = [];

  private constructor(
    readonly link: NatsLink,
    readonly jsm: JetStreamManager,
    readonly root: string,
    readonly dataSource: DataSource,
    readonly testSchema: TestSchema,
    readonly outbox: ExecutionOutbox,
    readonly publisher: ReliablePublisher,
    private readonly ledger: KvBudgetLedger,
    private readonly budgetSettings: RateBudgetSettings,
    private readonly options: HarnessOptions,
  ) {}

  static async open(
    natsUrl: string,
    databaseUrl: string,
    options: HarnessOptions = {},
  ): Promise<SessionHarness> {
    const root = uniqueSubjectRoot();
    const link = await NatsLink.connect({
      servers: [natsUrl],
      name: `venue-connectors-test/${root}`,
      pingIntervalMs: 2_000,
      maxPingOut: 2,
      reconnectWaitMs: 250,
      reconnectJitterMs: 100,
    });
    const jsm = await jetstreamManager(link.connection);
    const streams = createStreams(root);
    await provisionStream(jsm, streams.MD);
    await provisionStream(jsm, streams.EXEC);
    await provisionStream(jsm, streams.DLQ);
    const testSchema = await createTestSchema(databaseUrl, 'vc');
    const migrations = [tmSlotMigration, venueOrdersMigration, recordVenueFillMigration];
    const dataSource = createServiceDataSource({
      url: databaseUrl,
      schema: testSchema.schema,
      applicationName: 'venue-connectors-test',
      migrations,
    });
    await dataSource.initialize();
    await runMigrations(dataSource, { schema: testSchema.schema, migrations });
    const publisher = new ReliablePublisher(link);
    const subjects = createSubjects(root);
    const logger = createLogger({ service: 'venue-connectors', instance: root, level: 'silent' });
    const outbox = new ExecutionOutbox(dataSource, testSchema.schema, publisher, subjects, logger);
    const budgetSettings: RateBudgetSettings = {
      ...RATE_BUDGET_DEFAULTS,
      ...options.budget,
    };
    const ledger = await KvBudgetLedger.open(
      link.connection,
      createBuckets(root).VENUE_BUDGET,
      budgetSettings,
    );
    return new SessionHarness(
      link,
      jsm,
      root,
      dataSource,
      testSchema,
      outbox,
      publisher,
      ledger,
      budgetSettings,
      options,
    );
  }

  get subjects() {
    return createSubjects(this.root);
  }

  get schema(): string {
    return this.testSchema.schema;
  }

  /** A session for one venue account on `adapter`, its lifecycle feature already Running. */
  /** `adapter` may be built from the session's budget hooks, as the service's factory does. */
  async session(
    account: { venue: string; account: string; instruments?: string[]; unknownOrders?: 'adopt' | 'cancel' },
    adapter: VenueAdapter | ((budget: VenueBudgetHooks) => VenueAdapter),
    replica = 'replica-1',
  ): Promise<TestSession> {
    const config = VenueAccountConfig.parse({ apiUrl: 'http://127.0.0.1:1', ...account });
    const machine = new LifecycleMachine({
      name: `test/venue:${account.venue}/${account.account}`,
      level: 'application-feature',
    });
    for (const state of ['Deploying', 'Deployed', 'Running'] as const) machine.transition(state, 'test');
    const assembled = await assembleVenueSession(
      {
        link: this.link,
        subjects: this.subjects,
        dataSource: this.dataSource,
        schema: this.schema,
        outbox: this.outbox,
        ledger: this.ledger,
        budgetSettings: this.budgetSettings,
        breaker: { failures: 1_000, windowMs: 60_000, halfOpenAfterMs: 30_000 },
        session: {
          reconnectBaseMs: 50,
          reconnectMaxMs: 500,
          idleFeedMs: this.options.idleFeedMs ?? 60_000,
          diagnosticsIntervalMs: 60_000,
        },
        orderResolveWindowMs: this.options.orderResolveWindowMs ?? 1_000,
        ...(this.options.leaseTtlMs !== undefined
          ? {
              leases: {
                kv: await SessionLease.bucket(
                  this.link.connection,
                  createBuckets(this.root).VENUE_SESSIONS,
                  this.options.leaseTtlMs,
                ),
                instance: replica,
                ttlMs: this.options.leaseTtlMs,
              },
            }
          : {}),
        logger: createLogger({ service: 'venue-connectors', instance: this.root, level: TEST_LOG_LEVEL }),
      },
      config,
      typeof adapter === 'function' ? adapter : () => adapter,
      machine,
    );
    const session = { ...assembled, machine };
    this.sessions.push(session);
    return session;
  }

  /** Every execution event in the EXEC stream, in stream order, after flushing the outbox. */
  async executionEvents(): Promise<ExecutionEventV1[]> {
    await this.outbox.flush();
    const stream = createStreams(this.root).EXEC.name;
    const { state } = await this.jsm.streams.info(stream);
    const events: ExecutionEventV1[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
      const message = await this.jsm.streams.getMessage(stream, { seq });
      if (!message) continue;
      const decoded = decodePayload(ExecutionEventV1, message.data);
      if (!decoded.ok) throw new Error(`invalid execution event in the stream: ${decoded.reason}`);
      events.push(decoded.value);
    }
    return events;
  }

  async close(): Promise<void> {
    for (const { session, budget } of this.sessions) {
      await session.close().catch(() => undefined);
      await budget.close().catch(() => undefined);
    }
    await this.outbox.stop();
    this.publisher.close();
    const streams = createStreams(this.root);
    for (const stream of [streams.MD.name, streams.EXEC.name, streams.DLQ.name])
      await this.jsm.streams.delete(stream).catch(() => false);
    for (const bucket of Object.values(createBuckets(this.root)))
      await new Kvm(this.link.connection)
        .open(bucket)
        .then((kv) => kv.destroy())
        .catch(() => false);
    await this.dataSource.destroy();
    await this.testSchema.drop();
    await this.link.close();
  }
}
