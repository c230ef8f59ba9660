import { arbitrageFamily } from './arbitrage.family.js';
import { candleFamily } from './candle.family.js';
import type { CaptureFamily } from './capture-family.js';
import { executionFamily } from './execution.family.js';
import { flowEventFamily } from './flow-event.family.js';
import { metricSnapshotFamily } from './metric-snapshot.family.js';
import { tickFamily } from './tick.family.js';
import { tradeFamily } from './trade.family.js';

/** Everything the persister keeps, one reader each (NATS 2.9 takes one filter subject per consumer). */
export const CAPTURE_FAMILIES: readonly CaptureFamily[] = [
  tickFamily,
  tradeFamily,
  candleFamily,
  arbitrageFamily,
  executionFamily,
  flowEventFamily,
  metricSnapshotFamily,
] as CaptureFamily[];
