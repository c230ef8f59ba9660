export {
  AggregateSourceV1,
  AggregateV1,
  ArbitrageWindowV1,
  CandleV1,
  FeedComparisonV1,
  OpenArbitrageWindowV1,
  OpenCandleV1,
} from './aggregate.schema.js';
export { AggregationError, AggregationErrorCode } from './aggregation.error.js';
export {
  DEFAULT_AGGREGATION_SETTINGS,
  resolveAggregationSettings,
  type AggregationSettings,
} from './aggregation.settings.js';
export { AggregationStateV1 } from './aggregation-state.schema.js';
export {
  MarketAggregator,
  REJECTION_REASONS,
  type ImportOptions,
  type IngestResult,
  type RejectionReason,
  type TickOutput,
} from './market-aggregator.js';
