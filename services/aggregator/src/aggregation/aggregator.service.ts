import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { ConfigOf } from '@tm/config';
import { createBuckets, createStreams, type Subjects } from '@tm/contracts';
import { MarketAggregator } from '@tm/aggregation';
import { SlotMembership } from '@tm/membership';
import { NatsLink, provisionStream, ReliablePublisher, type DeadLetterPublisher } from '@tm/messaging';
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
import { lastSequenceIn, TopicSequencer, TradeEvents } from '@tm/push';
import { MetricsRegistry, type Logger } from '@tm/telemetry';
import type { aggregatorConfigSpec } from '../config/aggregator.config.js';
import type { RefusedMarketData } from '../ingest/market-data-ingest.js';
import { MarketEvents } from '../publishing/market-events.js';
import { AggregationStateStore } from '../state/aggregation-state-store.js';
import { AggregationWorker } from './aggregation-worker.js';
import { AggregatorMetrics } from './aggregator-metrics.js';

type Config = ConfigOf<typeof aggregatorConfigSpec>;
const MICROS_PER_MS = 1_000;
/**
 * Messages sent to JetStream at once. Closed candles and windows each carry their own key; trade events
 * carry their sequence, and only a retried publish can land after a later one (the gateways reorder).
 */
const EVENTS_IN_FLIGHT = 256;

/** The aggregation as one lifecycle feature (`aggregation`): paused, it leaves the slots to the others. */
@Injectable()
export class AggregatorService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private worker!: AggregationWorker;
  private events!: ReliablePublisher;
  private tradePublisher!: ReliablePublisher;
  private sequencer!: TopicSequencer;
  private marketData!: NatsLink;
  private readonly aggregatorMetrics: AggregatorMetrics;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_LINK) private readonly link: NatsLink,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterPublisher,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly lifecycle: ApplicationLifecycle,
    metrics: MetricsRegistry,
  ) {
    this.aggregatorMetrics = new AggregatorMetrics(metrics);
  }

  async onModuleInit(): Promise<void> {
    const c = this.config;
    const aggregator = new MarketAggregator({
      tickIntervalMicros: c.tickMs * MICROS_PER_MS,
      candleIntervalsMicros: c.candleIntervalsMs.map((ms) => ms * MICROS_PER_MS),
      tickRateWindowMicros: c.tickRateWindowMs * MICROS_PER_MS,
      staleAfterMicros: c.staleAfterMs * MICROS_PER_MS,
      feesBps: c.feesBps,
      defaultFeeBps: c.defaultFeeBps,
      maxBookLevels: c.bookLevels,
      maxConsolidatedLevels: c.bookLevels,
      instruments: c.instruments,
    });
    const jsm = await this.link.jetstreamManager();
    const streams = createStreams(this.subjects.root);
    await provisionStream(jsm, streams.MD);
    await provisionStream(jsm, streams.PUSH);
    const buckets = createBuckets(this.subjects.root);
    this.events = new ReliablePublisher(this.link, {
      maxInFlight: EVENTS_IN_FLIGHT,
      onError: (error) => this.logger.warn({ err: error }, 'candle/window publish will be retried'),
    });
    // Trades on a queue of their own: a burst of them never holds up a closed candle.
    this.tradePublisher = new ReliablePublisher(this.link, {
      maxInFlight: EVENTS_IN_FLIGHT,
      onError: (error) => this.logger.warn({ err: error }, 'trade event publish will be retried'),
    });
    this.sequencer = new TopicSequencer({
      subjects: this.subjects,
      publisher: this.tradePublisher,
      lastSequence: lastSequenceIn(jsm, streams.PUSH.name),
      onFailure: (error, topic) =>
        this.logger.warn({ err: error, topic }, 'trade event not numbered or stored'),
    });
    const nc = this.link.connection;
    // The feed on a connection of its own: a backlog of ticks must not hold up membership renewals.
    this.marketData = await connectNats(c, `aggregator/${this.identity.instance}/market-data`, this.logger);
    this.worker = new AggregationWorker({
      nc,
      marketData: this.marketData.connection,
      subjects: this.subjects,
      instanceId: this.identity.instance,
      aggregator,
      openMembership: () =>
        SlotMembership.open(nc, {
          bucket: buckets.AGGREGATOR_MEMBERS,
          instanceId: this.identity.instance,
          memberTtlMs: c.memberTtlMs,
          logger: this.logger,
        }),
      stateStore: await AggregationStateStore.open(nc, buckets.AGGREGATION_STATE),
      events: new MarketEvents(this.events, this.subjects, (error) =>
        this.logger.error({ err: error }, 'closed candle or window not published'),
      ),
      trades: new TradeEvents(this.sequencer),
      refuse: (refused) => this.deadLetter(refused),
      tickMs: c.tickMs,
      broadcastMs: c.broadcastMs,
      stateSaveMs: c.stateSaveMs,
      logger: this.logger,
    });
    this.lifecycle.registerFeature('aggregation', {
      pause: () => this.worker.stop(),
      resume: () => this.worker.start(),
      drain: () => this.worker.stop(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.worker.start();
    this.aggregatorMetrics.start(this.worker);
  }

  async onApplicationShutdown(): Promise<void> {
    this.aggregatorMetrics.stop();
    await this.worker.stop();
    if (!(await this.tradePublisher.flush(5_000)))
      this.logger.warn({}, 'trade events still unacknowledged at stop');
    this.sequencer.close();
    this.tradePublisher.close();
    this.events.close();
    await this.marketData.close();
  }

  private deadLetter(refused: RefusedMarketData): void {
    this.deadLetters.send(refused).catch((error: unknown) => {
      this.aggregatorMetrics.deadLettersLost += 1;
      this.logger.warn({ err: error, subject: refused.subject }, 'dead letter not stored');
    });
  }
}
