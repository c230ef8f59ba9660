// What the market streams of the watch tree carry, computed from what the aggregator and the venues
// publish: `ticker`, `book`, `candles` from each AggregateV1 (state). Event topics come numbered from stream PUSH.
import type { AggregateV1 } from '@tm/contracts';
import { CONSOLIDATED, type Topic } from '@tm/push';

export interface TopicValue {
  topic: Topic;
  value: unknown;
}

/** The state topics one aggregate updates: consolidated and per source. */
export function aggregateTopics(a: AggregateV1): TopicValue[] {
  const key = a.instrument;
  const out: TopicValue[] = [
    {
      topic: { stream: 'ticker', source: CONSOLIDATED, key },
      value: {
        bestBid: a.bestBid,
        bestAsk: a.bestAsk,
        lastTrade: a.lastTrade,
        vwap: a.vwap,
        tsInit: a.tsInit,
      },
    },
    { topic: { stream: 'book', source: CONSOLIDATED, key }, value: { ...a.book, tsInit: a.tsInit } },
    {
      topic: { stream: 'candles', source: CONSOLIDATED, key },
      value: { candles: a.candles, tsInit: a.tsInit },
    },
  ];
  for (const s of a.sources) {
    out.push({ topic: { stream: 'ticker', source: s.source, key }, value: s });
    out.push({
      topic: { stream: 'book', source: s.source, key },
      value: {
        bids: levelsOf(a.book.bids, s.source),
        asks: levelsOf(a.book.asks, s.source),
        status: s.book,
        tsInit: a.tsInit,
      },
    });
  }
  return out;
}

/** One source's part of the consolidated book: its size at each level where it has one. */
function levelsOf(levels: AggregateV1['book']['bids'], source: string): [number, number][] {
  const out: [number, number][] = [];
  for (const level of levels) {
    const mine = level.sources.find((s) => s.source === source);
    if (mine !== undefined && mine.size > 0) out.push([level.price, mine.size]);
  }
  return out;
}
