import { CandleV1 } from '@tm/contracts';
import { copyText, copyTimestamp } from '../batching/copy-text.js';
import { dayOfMicros, slotInLastToken, type CaptureFamily } from './capture-family.js';

/** The interval the digest rolls up into hours. */
export const ONE_MINUTE_MICROS = 60_000_000;
const MICROS_PER_HOUR = 3_600_000_000;

export const candleFamily: CaptureFamily<CandleV1> = {
  name: 'candle',
  stream: (streams) => streams.MD,
  filterSubject: (subjects) => subjects.all.mdCandle(),
  slotOf: slotInLastToken,
  schema: CandleV1,
  rows(c, slot, sink) {
    sink.add(
      'candles',
      `${slot}\t${copyText(c.instrument)}\t${c.intervalMicros}\t${copyTimestamp(c.start)}\t${c.open}\t${c.high}\t${c.low}\t${c.close}\t${c.volume}\t${c.trades}`,
      dayOfMicros(c.start),
    );
    if (c.intervalMicros === ONE_MINUTE_MICROS) {
      const hour = c.start - (c.start % MICROS_PER_HOUR);
      sink.markDirty({ kind: 'candle_hour', slot, key: c.instrument, bucketMs: hour / 1_000 });
    }
  },
};
