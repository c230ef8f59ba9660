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
export {
  parseRecordingLine,
  recordedMessageLine,
  recordedTickLine,
  RecordingReplay,
  replayRecording,
  type ParsedRecordingLine,
  type RecordingEntry,
  type RecordingLineError,
  type ReplayOptions,
  type ReplayTickSource,
} from './replay/replay-recording.js';
