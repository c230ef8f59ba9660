import { Inject, Injectable } from '@nestjs/common';
import { AggregateV1, type AggregateSnapshotRequestV1, type Subjects } from '@tm/contracts';
import {
  MessagingError,
  NoRespondersError,
  ReplyError,
  RequestClient,
  RequestTimeoutError,
  type NatsLink,
} from '@tm/messaging';
import { NATS_LINK, SUBJECTS } from '@tm/service-host';
import { instrumentSlot } from '@tm/sharding';
import { MarketApiError } from './market-api.error.js';
import { MARKET_API_OPTIONS, type MarketApiOptions } from './market-api.options.js';

/**
 * The latest AggregateV1 of one instrument, asked of the aggregator that owns its slot
 * (`tm.md.snapshot.<slot>`, answered by services/aggregator's SnapshotResponder with a reply envelope).
 */
@Injectable()
export class MarketSnapshotService {
  private readonly requests: RequestClient;

  constructor(
    @Inject(NATS_LINK) link: NatsLink,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(MARKET_API_OPTIONS) private readonly options: MarketApiOptions,
  ) {
    this.requests = new RequestClient(link);
  }

  async snapshot(instrument: string): Promise<AggregateV1> {
    const slot = instrumentSlot(instrument);
    const request: AggregateSnapshotRequestV1 = { v: 1, instrument };
    try {
      return await this.requests.request(this.subjects.mdSnapshot(slot), request, AggregateV1, {
        timeoutMs: this.options.snapshotTimeoutMs,
      });
    } catch (error) {
      throw refusalOf(error, instrument, slot);
    }
  }
}

function refusalOf(error: unknown, instrument: string, slot: number): unknown {
  if (error instanceof ReplyError && error.code === 'NOT_FOUND')
    return new MarketApiError('NO_MARKET_DATA', error.message);
  // No owner of the slot: the aggregator is down, or the slot is between two owners for a moment.
  if (error instanceof NoRespondersError || error instanceof RequestTimeoutError) {
    return new MarketApiError(
      'MARKET_DATA_UNAVAILABLE',
      `no aggregator answered for ${instrument} (slot ${slot}): ${error.message}; try again shortly`,
    );
  }
  if (error instanceof ReplyError && error.code === 'UNAVAILABLE')
    return new MarketApiError('MARKET_DATA_UNAVAILABLE', error.message);
  // An invalid reply, or a refusal of a request we validated: the fault is upstream, not the client's.
  if (error instanceof MessagingError)
    return new MarketApiError('UPSTREAM_REFUSED', `the aggregator refused ${instrument}: ${error.message}`);
  return error;
}
