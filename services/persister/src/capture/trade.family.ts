import { MarketDataDecoder, TradeV1, validatePayload } from '@tm/contracts';
import { copyNullable, copyText, copyTimestamp } from '../batching/copy-text.js';
import { dayOfMicros, slotInLastToken, type CaptureFamily } from './capture-family.js';

const decoder = new MarketDataDecoder();

export const tradeFamily: CaptureFamily<TradeV1> = {
  name: 'trade',
  stream: (streams) => streams.MD,
  filterSubject: (subjects) => subjects.all.mdTrade(),
  slotOf: slotInLastToken,
  schema: TradeV1,
  decode(data) {
    const decoded = decoder.decode('trade', data);
    // The fast check takes any number; a price or amount not above zero goes through the schema to be refused.
    const t = decoded.ok ? decoded.value : undefined;
    return t && (t.price <= 0 || t.amount <= 0) ? validatePayload(TradeV1, t) : decoded;
  },
  rows(t, slot, sink) {
    sink.add(
      'trades',
      `${slot}\t${copyText(t.instrument)}\t${copyText(t.source)}\t${copyText(t.tradeId)}\t${t.price}\t${t.amount}\t${copyNullable(t.takerSide)}\t${copyTimestamp(t.tsEvent)}\t${copyTimestamp(t.tsInit)}`,
      dayOfMicros(t.tsEvent),
    );
  },
};
