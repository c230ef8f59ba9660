import {
  AggregateSnapshotRequestV1,
  decodePayload,
  encodePayload,
  type ReplyEnvelope,
  type AggregateV1,
  type Subjects,
} from '@tm/contracts';
import type { MarketAggregator } from '@tm/aggregation';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { instrumentSlot } from '@tm/sharding';

/**
 * Answers `tm.md.snapshot.<slot>` requests for the slots this instance owns with the instrument's latest
 * AggregateV1; every other instance stays silent, so exactly one answers (none during a handover gap:
 * the requester times out and asks again).
 */
export class SnapshotResponder {
  private subscription: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly aggregator: MarketAggregator,
    private readonly owns: (slot: number) => boolean,
  ) {}

  start(): void {
    this.subscription ??= this.nc.subscribe(this.subjects.all.mdSnapshot(), {
      callback: (error, msg) => {
        if (error === null) this.answer(msg);
      },
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private answer(msg: Msg): void {
    const slot = Number(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
    if (!this.owns(slot) || msg.reply === undefined) return;
    msg.respond(encodePayload(this.reply(slot, msg.data)));
  }

  private reply(slot: number, data: Uint8Array): ReplyEnvelope<AggregateV1> {
    const request = decodePayload(AggregateSnapshotRequestV1, data);
    if (!request.ok) {
      return {
        v: 1,
        ok: false,
        error: { code: 'INVALID_PAYLOAD', message: request.reason, details: request.details },
      };
    }
    const { instrument } = request.value;
    const home = instrumentSlot(instrument);
    if (home !== slot) {
      return {
        v: 1,
        ok: false,
        error: {
          code: 'INVALID_PAYLOAD',
          message: `instrument ${instrument} belongs to slot ${home}: ask on ${this.subjects.mdSnapshot(home)}`,
          details: [`instrument: belongs to slot ${home}, not ${slot}`],
        },
      };
    }
    const snapshot = this.aggregator.snapshot(instrument);
    if (snapshot === undefined) {
      return {
        v: 1,
        ok: false,
        error: { code: 'NOT_FOUND', message: `no market data for ${instrument} yet` },
      };
    }
    return { v: 1, ok: true, result: snapshot };
  }
}
