import { AggregateV1, type Subjects } from '@tm/contracts';
import { NoRespondersError, ReplyError, RequestTimeoutError, type RequestClient } from '@tm/messaging';
import { instrumentSlot } from '@tm/sharding';
import { StepError } from '../engine/step.error.js';

interface Cached {
  at: number;
  value: Promise<AggregateV1>;
}

/**
 * The aggregated market of an instrument, asked of the aggregator that owns its slot. Answers are shared
 * for `maxAgeMs` (one aggregation tick): a burst of flows on one instrument asks once.
 */
export class AggregateReader {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly requests: RequestClient,
    private readonly subjects: Subjects,
    private readonly timeoutMs: number,
    private readonly maxAgeMs: number,
  ) {}

  aggregate(instrument: string): Promise<AggregateV1> {
    const now = performance.now();
    const cached = this.cache.get(instrument);
    if (cached && now - cached.at < this.maxAgeMs) return cached.value;
    const value = this.ask(instrument);
    this.cache.set(instrument, { at: now, value });
    value.catch(() => this.cache.delete(instrument));
    return value;
  }

  private async ask(instrument: string): Promise<AggregateV1> {
    const subject = this.subjects.mdSnapshot(instrumentSlot(instrument));
    try {
      return await this.requests.request(subject, { v: 1, instrument }, AggregateV1, {
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      // The owner answered that it has no data for the instrument: a fact, not a hiccup.
      if (error instanceof ReplyError && error.code === 'NOT_FOUND')
        throw new StepError(
          'NO_MARKET_DATA',
          `no aggregated market for ${instrument}: ${error.message}`,
          false,
        );
      // Between owners, or the aggregator busy: worth asking again.
      if (error instanceof ReplyError)
        throw new StepError('MARKET_UNAVAILABLE', `no aggregate for ${instrument}: ${error.message}`, true);
      if (error instanceof RequestTimeoutError || error instanceof NoRespondersError)
        throw new StepError('MARKET_UNAVAILABLE', `no aggregator answered for ${instrument}`, true);
      throw error;
    }
  }
}
