import { DeliverPolicy, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { Inject, Injectable } from '@nestjs/common';
import { CandleV1, createStreams, decodePayload, type Subjects } from '@tm/contracts';
import type { NatsLink } from '@tm/messaging';
import { LOGGER, NATS_LINK, SUBJECTS } from '@tm/service-host';
import { instrumentSlot } from '@tm/sharding';
import type { Logger } from '@tm/telemetry';
import { CandleSelection, type CandleWindow } from './candle-selection.js';
import { MarketApiError } from './market-api.error.js';
import { MARKET_API_OPTIONS, type MarketApiOptions } from './market-api.options.js';

const STREAM_NOT_FOUND = 10059;
const FETCH_BATCH = 500;

/**
 * Closed candles from the JetStream MD stream (`tm.md.candle.<slot>`, published by the aggregator that owns
 * the slot), read with an ordered consumer from the window's start time and deleted after the read.
 */
@Injectable()
export class CandleHistoryService {
  private readonly stream: string;
  private jsm: Promise<JetStreamManager> | undefined;

  constructor(
    @Inject(NATS_LINK) private readonly link: NatsLink,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(MARKET_API_OPTIONS) private readonly options: MarketApiOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.stream = createStreams(subjects.root).MD.name;
  }

  async candles(window: CandleWindow): Promise<CandleV1[]> {
    const subject = this.subjects.mdCandle(instrumentSlot(window.instrument));
    const selection = new CandleSelection(window, this.options.candlePublishGraceMs * 1_000);
    const startMicros = selection.readStartMicros;
    try {
      // The newest candle of the slot tells at once whether anything is kept after the start.
      const last = await (await this.manager()).streams.getMessage(this.stream, { last_by_subj: subject });
      if (last === null || last.time.getTime() * 1_000 < startMicros - 1_000) return [];
      await this.read(subject, startMicros, selection);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND) {
        throw new MarketApiError(
          'MARKET_DATA_UNAVAILABLE',
          `stream ${this.stream} does not exist: no aggregator has provisioned it yet`,
        );
      }
      throw error;
    }
    return selection.candles();
  }

  private async read(subject: string, startMicros: number, selection: CandleSelection): Promise<void> {
    const consumer = await this.link.jetstream.consumers.get(this.stream, {
      filter_subjects: subject,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(Math.floor(startMicros / 1_000)).toISOString(),
    });
    let refused = 0;
    try {
      for (let more = true; more;) {
        const batch = await consumer.fetch({
          max_messages: FETCH_BATCH,
          expires: this.options.candleFetchWaitMs,
        });
        let received = 0;
        for await (const msg of batch) {
          received += 1;
          const decoded = decodePayload(CandleV1, msg.data);
          if (decoded.ok) selection.offer(decoded.value);
          else refused += 1;
          // Caught up with the stream, or past what the window can use.
          if (msg.info.pending === 0 || selection.isSettled(Number(msg.info.timestampNanos) / 1_000)) {
            more = false;
            break;
          }
        }
        if (received === 0) more = false;
      }
    } finally {
      await consumer.delete().catch(() => false);
    }
    if (refused > 0) this.logger.warn({ subject, refused }, 'candles that fail CandleV1 were skipped');
  }

  private manager(): Promise<JetStreamManager> {
    this.jsm ??= this.link.jetstreamManager().catch((error: unknown) => {
      this.jsm = undefined;
      throw error;
    });
    return this.jsm;
  }
}
