import type { TradeV1 } from '@tm/contracts';
import { CONSOLIDATED } from '../topic/topic.js';
import type { TopicSequencer } from './topic-sequencer.js';

/**
 * The trades of the owned slots as push events (ADR 0006): each trade is the next event of its source's
 * topic (`trades/<source>/<instrument>`) and of the consolidated one (`trades/*\/<instrument>`), numbered
 * by the slot's owner (the aggregator), where every trade of the slot passes in order, and stored in
 * stream PUSH for every gateway.
 */
export class TradeEvents {
  constructor(private readonly sequencer: TopicSequencer) {}

  trade(trade: TradeV1, slot: number): void {
    const value = {
      tradeId: trade.tradeId,
      source: trade.source,
      price: trade.price,
      amount: trade.amount,
      takerSide: trade.takerSide,
      tsEvent: trade.tsEvent,
    };
    this.sequencer.append({ stream: 'trades', source: trade.source, key: trade.instrument }, slot, value);
    this.sequencer.append({ stream: 'trades', source: CONSOLIDATED, key: trade.instrument }, slot, value);
  }

  /** The slots this instance gave up: their topics are numbered by the next owner, from the stream. */
  forget(owned: (slot: number) => boolean): void {
    this.sequencer.forget(owned);
  }

  get counters(): TopicSequencer['counters'] {
    return this.sequencer.counters;
  }
}
