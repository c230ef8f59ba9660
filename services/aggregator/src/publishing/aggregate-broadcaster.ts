import { encodePayload, type Subjects } from '@tm/contracts';
import type { MarketAggregator } from '@tm/aggregation';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { instrumentSlot } from '@tm/sharding';

/** Header naming the instance that published an aggregate, so a consumer can see a handover. */
export const PUBLISHER_HEADER = 'tm-instance';

/**
 * Every owned instrument's latest AggregateV1 on `tm.md.agg.<slot>` (core NATS: live only). Ownership is
 * asked of the membership at the moment of each send, so a slot that has just moved is never published
 * by its old owner after it lost the claim.
 */
export class AggregateBroadcaster {
  published = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly aggregator: MarketAggregator,
    private readonly owns: (slot: number) => boolean,
    private readonly instanceId: string,
  ) {}

  broadcast(): number {
    const h = natsHeaders();
    h.set(PUBLISHER_HEADER, this.instanceId);
    let sent = 0;
    for (const instrument of this.aggregator.instruments()) {
      const slot = instrumentSlot(instrument);
      const snapshot = this.aggregator.snapshot(instrument);
      if (snapshot === undefined || !this.owns(slot)) continue;
      this.nc.publish(this.subjects.mdAgg(slot), encodePayload(snapshot), { headers: h });
      sent += 1;
    }
    this.published += sent;
    return sent;
  }
}
