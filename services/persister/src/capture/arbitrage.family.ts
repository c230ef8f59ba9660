import { ArbitrageWindowV1 } from '@tm/contracts';
import { copyText, copyTimestamp } from '../batching/copy-text.js';
import { dayOfMicros, slotInLastToken, type CaptureFamily } from './capture-family.js';

export const arbitrageFamily: CaptureFamily<ArbitrageWindowV1> = {
  name: 'arbitrage',
  stream: (streams) => streams.MD,
  filterSubject: (subjects) => subjects.all.mdArbitrage(),
  slotOf: slotInLastToken,
  schema: ArbitrageWindowV1,
  rows(w, slot, sink) {
    sink.add(
      'arbitrage_windows',
      `${slot}\t${copyText(w.instrument)}\t${copyText(w.buySource)}\t${copyText(w.sellSource)}\t${copyTimestamp(w.openedAt)}\t${copyTimestamp(w.closedAt)}\t${w.durationMicros}\t${w.bestEdgeBps}\t${copyTimestamp(w.bestEdgeAt)}`,
      dayOfMicros(w.openedAt),
    );
  },
};
