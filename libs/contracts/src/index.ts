export { ContractError, type ContractErrorCode } from './contract.error.js';
export {
  createSubjects,
  DEFAULT_SUBJECT_ROOT,
  isValidSubjectRoot,
  SUBJECT_ROOT_PATTERN,
  type Subjects,
} from './subjects.js';
export {
  createBuckets,
  createStreams,
  PUSH_EVENTS_KEPT_PER_TOPIC,
  type StreamSpec,
  type Streams,
} from './streams.js';
export {
  LIFECYCLE_LEVELS,
  LIFECYCLE_STATES,
  type LifecycleLevel,
  type LifecycleState,
} from './lifecycle-states.js';
export {
  SERVICE_FEATURES,
  SERVICE_NAMES,
  isServiceName,
  type PlatformFeature,
  type ServiceName,
} from './fleet.js';
export { nowMicros } from './clock.js';
export { clientOrderIdOf } from './client-order-id.js';
export { decodePayload, encodePayload, validatePayload, type DecodeResult } from './payload-decoder.js';
export { deadLetterOf } from './dead-letter.js';
export { MarketDataDecoder, type MarketDataKind, type MarketDataPayload } from './market-data-decoder.js';
export {
  BeaconV1,
  CONTROL_ACTIONS,
  ControlCommandV1,
  DeadLetterV1,
  FeatureStatusV1,
  InstanceStatusV1,
  LifecycleTransitionV1,
  SnapshotV1,
  StatusQueryV1,
  type ControlAction,
} from './schemas/system.schema.js';
export {
  REPLY_ERROR_CODES,
  ReplyErrorV1,
  replyEnvelope,
  type ReplyEnvelope,
  type ReplyErrorCode,
} from './schemas/reply.schema.js';
export {
  BookDeltaV1,
  BookResyncRequestV1,
  TickV1,
  TradeV1,
  UnifiedSymbol,
} from './schemas/market-data.schema.js';
export {
  AggregateSnapshotRequestV1,
  AggregateSourceV1,
  AggregateV1,
  ArbitrageWindowV1,
  CandleV1,
  FeedComparisonV1,
  OpenArbitrageWindowV1,
  OpenCandleV1,
} from './schemas/aggregate.schema.js';
export { PushEventV1 } from './schemas/push-event.schema.js';
export {
  FLOW_EVENT_TYPES,
  FLOW_VERBS,
  FlowEventV1,
  type FlowEventType,
} from './schemas/flow-event.schema.js';
export {
  FINISHED_FLOW_STATUSES,
  FLOW_STATUSES,
  FlowCancelCommandV1,
  FlowCommandV1,
  FlowErrorV1,
  FlowGetCommandV1,
  FlowProgressV1,
  FlowRequesterV1,
  FlowStartCommandV1,
  FlowStateV1,
  FlowStepStateV1,
  PRE_TRADE_REASONS,
  type FlowStatusV1,
  type PreTradeReason,
} from './schemas/flow-command.schema.js';
export {
  BuyInputV1,
  CancelOrdersInputV1,
  ConvertInputV1,
  DepositAddressInputV1,
  FLOW_VERB_INPUTS,
  flowVerbJsonSchemas,
  RepriceInputV1,
  SellInputV1,
  TransferInputV1,
  type FlowVerbInput,
  type FlowVerbName,
} from './schemas/flow-verbs.schema.js';
export {
  BalanceV1,
  BalancesUpdatedV1,
  DecimalString,
  ExecutionEventV1,
  FillV1,
  ORDER_STATUSES,
  OrderAcceptedV1,
  OrderCanceledV1,
  OrderExpiredV1,
  OrderFilledV1,
  OrderRejectedV1,
  OrderStateV1,
  OrderStatusV1,
  OrderSubmittedV1,
  PositionV1,
  PositionsUpdatedV1,
  RECONCILIATION_DIFFERENCES,
  ReconciliationDifferenceFoundV1,
  type ExecutionEventType,
} from './schemas/execution.schema.js';
export {
  BalanceSnapshotV1,
  CancelOrderRequestV1,
  CreateOrderRequestV1,
  DepositAddressV1,
  DepositListV1,
  DepositV1,
  EditOrderRequestV1,
  EmptyRequestV1,
  FetchDepositAddressRequestV1,
  FetchDepositsRequestV1,
  FetchMyTradesRequestV1,
  FetchOpenOrdersRequestV1,
  FetchOrderRequestV1,
  FillListV1,
  InstrumentListV1,
  InstrumentSpecV1,
  OrderListV1,
  OrderOriginV1,
  PositionListV1,
  SimulateDepositRequestV1,
  TransferRequestV1,
  TransferResultV1,
  VENUE_OP_NAMES,
  VENUE_OPS,
  VenueFillV1,
  VenueSessionStatusV1,
  type VenueOp,
  type VenueOpRequest,
  type VenueOpResult,
} from './schemas/venue-rpc.schema.js';
export { VENUE_ERROR_CODES, VenueErrorCodeV1, type VenueErrorCode } from './schemas/venue-error.schema.js';
