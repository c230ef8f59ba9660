export { PushError, type PushErrorCode } from './push.error.js';
export {
  CONSOLIDATED,
  EVENT_STREAMS,
  STATE_STREAMS,
  STREAMS,
  WILDCARD,
  formatTopic,
  isStateStream,
  matchesPattern,
  parsePattern,
  parseTopic,
  type StreamName,
  type Topic,
  type TopicPattern,
} from './topic/topic.js';
export {
  WATCH_STATES,
  WATCH_TRANSITIONS,
  WatchMachine,
  type WatchState,
  type WatchTransition,
} from './watch/watch-state.js';
export { WatchSet, type WatchSetChange } from './watch/watch-set.js';
export { SubjectInterest } from './watch/subject-interest.js';
export {
  PushWindow,
  type Discontinuity,
  type EventOffer,
  type PushBatch,
  type PushWindowOptions,
  type SequencedEvent,
  type StateUpdate,
} from './window/push-window.js';
export { pushSubjectOf, pushSubjectOfPattern } from './topic/push-subject.js';
export {
  TopicSequencer,
  type LastSequenceLookup,
  type PushEventPublisher,
  type TopicSequencerOptions,
} from './sequence/topic-sequencer.js';
export { TradeEvents } from './sequence/trade-events.js';
export {
  TopicEventLog,
  type LogAdvance,
  type LogReplay,
  type LoggedEvent,
} from './sequence/topic-event-log.js';
export {
  lastSequenceIn,
  readKeptEvents,
  type KeptEvents,
  type RefusedPushMessage,
  type StoredPushEvent,
} from './sequence/push-stream.js';
