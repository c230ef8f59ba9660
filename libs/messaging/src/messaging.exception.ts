import { RpcException } from '@nestjs/microservices';
import type { ReplyErrorCode } from '@tm/contracts';

/** Codes of the errors this lib raises itself; a handler's reply uses ReplyErrorCode only. */
export type MessagingErrorCode =
  | ReplyErrorCode
  | 'REQUEST_TIMEOUT'
  | 'NO_RESPONDERS'
  | 'INVALID_REPLY'
  | 'PUBLISHER_CLOSED'
  | 'PUBLISH_QUEUE_FULL';

/**
 * The base of every error of this lib. It is an RpcException whose error is itself, so Nest's default
 * RPC exception filter hands it to the transport intact and its code survives even without ReplyErrorFilter.
 */
export class MessagingError extends RpcException {
  readonly code: MessagingErrorCode;
  readonly details?: string[];

  constructor(code: MessagingErrorCode, message: string, details?: string[]) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    if (details) this.details = details;
  }

  override getError(): MessagingError {
    return this;
  }
}

/** A payload that is not JSON or fails its schema where it entered; the message is dead-lettered. */
export class InvalidPayloadError extends MessagingError {
  constructor(reason: string, details: string[] = []) {
    super('INVALID_PAYLOAD', reason, details);
  }
}

export class RequestTimeoutError extends MessagingError {
  constructor(subject: string, timeoutMs: number) {
    super('REQUEST_TIMEOUT', `no reply on ${subject} within ${timeoutMs} ms`);
  }
}

export class NoRespondersError extends MessagingError {
  constructor(subject: string) {
    super('NO_RESPONDERS', `no responder listens on ${subject}`);
  }
}

export class InvalidReplyError extends MessagingError {
  constructor(subject: string, reason: string, details: string[] = []) {
    super('INVALID_REPLY', `reply on ${subject} refused: ${reason}`, details);
  }
}

/** The responder answered `{ ok: false, error }`: its code, message and details, as sent. */
export class ReplyError extends MessagingError {
  constructor(
    code: ReplyErrorCode,
    message: string,
    details?: string[],
    /** RATE_LIMITED: how long the responder asked the caller to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(code, message, details);
  }
}

export class PublisherClosedError extends MessagingError {
  constructor() {
    super('PUBLISHER_CLOSED', 'the publisher was closed before the message was acknowledged');
  }
}

export class PublishQueueFullError extends MessagingError {
  constructor(maxQueued: number) {
    super('PUBLISH_QUEUE_FULL', `the publish queue holds ${maxQueued} messages already`);
  }
}
