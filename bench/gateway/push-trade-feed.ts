import type { NatsConnection } from '@nats-io/transport-node';
import { createSubjects, encodePayload, type PushEventV1 } from '@tm/contracts';
import { pushSubjectOf, type Topic } from '@tm/push';
import { instrumentSlot } from '@tm/sharding';
import { tradeId } from './load-protocol.js';

/**
 * The trades of one topic as the aggregator's TopicSequencer publishes them for the gateways: `PushEventV1`
 * numbered 1, 2, 3… on the topic's push subject (stream PUSH, once the gateway has provisioned it, keeps
 * them as it keeps the sequencer's). Published without waiting for acks, so the bench's rate is the
 * gateway's limit, not JetStream's.
 */
export class PushTradeFeed {
  readonly subject: string;
  private seq = 0;

  constructor(
    private readonly nc: NatsConnection,
    root: string,
    private readonly topic: Topic,
  ) {
    this.subject = pushSubjectOf(createSubjects(root), topic, instrumentSlot(topic.key));
  }

  /** Trade `index` of run `runId`, stamped with the time it leaves. */
  publish(runId: string, index: number): void {
    const now = Date.now() * 1_000;
    const event: PushEventV1 = {
      v: 1,
      topic: `${this.topic.stream}/${this.topic.source}/${this.topic.key}`,
      seq: ++this.seq,
      at: now,
      value: {
        tradeId: tradeId(runId, index),
        source: this.topic.source,
        price: 50_000 + (index % 100),
        amount: 0.01,
        takerSide: 'buy',
        tsEvent: now,
      },
    };
    this.nc.publish(this.subject, encodePayload(event));
  }
}
