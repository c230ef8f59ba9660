import { MarketDataDecoder, TickV1, validatePayload } from '@tm/contracts';
import { copyText, copyTimestamp } from '../batching/copy-text.js';
import { dayOfMicros, slotInLastToken, type CaptureFamily } from './capture-family.js';

const decoder = new MarketDataDecoder();

export const tickFamily: CaptureFamily<TickV1> = {
  name: 'tick',
  stream: (streams) => streams.MD,
  filterSubject: (subjects) => subjects.all.mdTick(),
  slotOf: slotInLastToken,
  schema: TickV1,
  decode(data) {
    const decoded = decoder.decode('tick', data);
    // The fast check takes any number; a negative one goes through the schema to be refused with its field.
    const t = decoded.ok ? decoded.value : undefined;
    return t && (t.bid < 0 || t.bidSize < 0 || t.ask < 0 || t.askSize < 0)
      ? validatePayload(TickV1, t)
      : decoded;
  },
  rows(t, slot, sink) {
    sink.add(
      'ticks',
      `${slot}\t${copyText(t.instrument)}\t${copyText(t.source)}\t${t.bid}\t${t.bidSize}\t${t.ask}\t${t.askSize}\t${copyTimestamp(t.tsEvent)}\t${copyTimestamp(t.tsInit)}`,
      dayOfMicros(t.tsEvent),
    );
  },
};
