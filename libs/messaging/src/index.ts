export { NatsLink, type LinkStatus, type LinkStatusListener, type NatsLinkOptions } from './nats-link.js';
export type { MessagingLogger } from './messaging-logger.js';
export {
  provisionDurableConsumer,
  provisionStream,
  type DurableConsumerConfig,
} from './stream-provisioning.js';
export { ReliablePublisher, type ReliablePublisherOptions } from './reliable-publisher.js';
export { DeadLetterPublisher, type DeadLetterInput } from './dead-letter-publisher.js';
export { ReconnectBackoff } from './reconnect-backoff.js';
export { RequestClient } from './request-client.js';
export { replyErrorOf } from './reply-error.js';
export {
  InvalidPayloadError,
  InvalidReplyError,
  MessagingError,
  NoRespondersError,
  PublisherClosedError,
  PublishQueueFullError,
  ReplyError,
  RequestTimeoutError,
  type MessagingErrorCode,
} from './messaging.exception.js';
export { TmNatsTransport, type TmNatsTransportOptions } from './nest/tm-nats.transport.js';
export { SchemaPipe } from './nest/schema.pipe.js';
export { ReplyErrorFilter } from './nest/reply-error.filter.js';
export type { PlatformMessage } from './nest/platform-message.deserializer.js';
