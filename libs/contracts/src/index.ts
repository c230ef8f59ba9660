export { ContractError, type ContractErrorCode } from './contract.error.js';
export {
  createSubjects,
  DEFAULT_SUBJECT_ROOT,
  isValidSubjectRoot,
  SUBJECT_ROOT_PATTERN,
  type Subjects,
} from './subjects.js';
export { createStreams, type StreamSpec, type Streams } from './streams.js';
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
export { decodePayload, encodePayload, validatePayload, type DecodeResult } from './payload-decoder.js';
export { deadLetterOf } from './dead-letter.js';
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
export { TickV1 } from './schemas/market-data.schema.js';
